/**
 * `apikey create | list | revoke`: the retrieval API's keys (docs/retrieval-api.md). A key is printed
 * once, when created; the table keeps only its secret's hash, so a lost key is revoked and replaced.
 */
import { createDynamoDbApiKeyStore } from "../../adapters/aws/dynamodb-api-key-store.js";
import type { ApiKeyStore } from "../../core/ports.js";
import { keyIdOf, newApiKey } from "../../retrieval/api-keys.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";
import { formatTable, terminalWidth } from "../table.js";
import { knownDataset } from "./known.js";

export function apiKeyStoreOf(connection: Connection): ApiKeyStore {
  const tableName =
    connection.local?.tableName ?? connection.stack?.outputs.TableName ?? process.env.TABLE_NAME;
  if (!tableName) throw new PermanentError("no table to keep keys in: set TABLE_NAME, or use --stack NAME");
  return createDynamoDbApiKeyStore(connection.adapters.dynamodb, tableName);
}

export interface CreateOptions {
  tenant?: string;
  dataset?: string[];
  name?: string;
  /** The key may also start a Notion OAuth flow for its tenant (docs/oauth.md). */
  connectNotion?: boolean;
  json?: boolean;
}

export async function apiKeyCreateCommand(connection: Connection, options: CreateOptions): Promise<void> {
  const tenantId = options.tenant ?? connection.defaults.tenantId;
  const datasetIds = options.dataset ?? [];
  if (options.connectNotion && datasetIds.length > 0) {
    throw new PermanentError("--connect-notion is for tenant-wide keys: leave out --dataset");
  }
  for (const datasetId of datasetIds) {
    await knownDataset(connection.adapters.store, datasetId, tenantId);
  }
  const created = await createApiKey(apiKeyStoreOf(connection), {
    tenantId,
    datasetIds,
    name: options.name,
    mayConnectNotion: options.connectNotion === true,
  });
  const url = connection.local?.queryUrl ?? connection.stack?.outputs.QueryUrl;
  if (options.json) {
    printJson({
      key: created.key,
      keyId: created.record.keyId,
      tenantId,
      datasetIds,
      mayConnectNotion: options.connectNotion === true,
      url,
    });
    return;
  }
  printLine(created.key);
  printLine(
    `key ${created.record.keyId} for tenant ${tenantId}${datasetIds.length > 0 ? `, datasets ${datasetIds.join(", ")}` : ", all its datasets"}${options.connectNotion ? ", may connect Notion" : ""}: store it now, it is not shown again`,
  );
  if (url) printLine(`API: POST ${url}v1/query with Authorization: Bearer <key>`);
}

/** Creates a key; returns it (the only time its secret exists outside the caller). */
export async function createApiKey(
  keys: ApiKeyStore,
  owner: { tenantId: string; datasetIds?: string[]; name?: string | undefined; mayConnectNotion?: boolean },
) {
  const created = newApiKey(
    {
      tenantId: owner.tenantId,
      ...(owner.datasetIds ? { datasetIds: owner.datasetIds } : {}),
      ...(owner.name ? { name: owner.name } : {}),
      ...(owner.mayConnectNotion ? { mayConnectNotion: true } : {}),
    },
    new Date(),
  );
  await keys.create(created.record);
  return created;
}

export async function apiKeyListCommand(
  connection: Connection,
  options: { tenant?: string; json?: boolean },
): Promise<void> {
  const records = await apiKeyStoreOf(connection).list(options.tenant);
  // Never the hash: it is no use to a reader and need not travel.
  const keys = records.map(({ secretHash: _hash, ...record }) => record);
  if (options.json) {
    printJson({ keys });
    return;
  }
  if (keys.length === 0) {
    printLine("no API keys (create one with `apikey create --tenant T`)");
    return;
  }
  const columns = [
    { header: "KEY ID", cells: keys.map((key) => key.keyId) },
    { header: "TENANT", cells: keys.map((key) => key.tenantId) },
    { header: "DATASETS", cells: keys.map((key) => key.datasetIds?.join(",") ?? "all"), minWidth: 8 },
    { header: "NAME", cells: keys.map((key) => key.name ?? ""), dropPriority: 1, minWidth: 8 },
    { header: "CREATED", cells: keys.map((key) => key.createdAt), dropPriority: 2 },
    { header: "REVOKED", cells: keys.map((key) => key.revokedAt ?? "") },
  ];
  for (const line of formatTable(columns, terminalWidth())) printLine(line);
}

export async function apiKeyRevokeCommand(connection: Connection, key: string, options: { json?: boolean }) {
  // The key id, or the whole key pasted by mistake: its secret is never echoed back.
  const keyId = keyIdOf(key) ?? key;
  const revoked = await apiKeyStoreOf(connection).revoke(keyId, new Date().toISOString());
  if (!revoked) throw new PermanentError(`no API key ${keyId} (\`apikey list\` shows the keys)`);
  if (options.json) printJson({ keyId, revoked: true });
  else printLine(`key ${keyId} revoked: requests with it now get 401`);
}
