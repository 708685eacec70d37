/**
 * `connect --tenant T --workspace W`: binds a tenant's Notion workspace to its integration token, so
 * multi-tenant use needs no hand-edited items. The binding keeps a reference to the token, never
 * the token (docs/architecture.md, Data):
 * - deployed stack: `--token-secret NAME` (an existing secret under the stack's prefix), or the
 *   value of `--token-env NAME` (default NOTION_TOKEN) stored in a new secret
 *   `<prefix><tenant>/<workspace>` (replaced if it exists);
 * - local stack: the token in the environment variable `--token-env NAME` (default NOTION_TOKEN) is
 *   stored in the local Secrets Manager stand-in as `notion-index-sync/local/notion/<tenant>/<workspace>`,
 *   or `--token-secret NAME` names a secret already there. The functions read tokens from Secrets
 *   Manager only, locally as deployed.
 */

import type { DeployedStack } from "../../adapters/aws/deployed-stack.js";
import { describeSecret, saveSecretString } from "../../adapters/aws/secret-admin.js";
import { createSecretsManagerClient } from "../../adapters/aws/secrets-manager-client.js";
import { checkTenantId, ID_PATTERN } from "../../core/ids.js";
import { secretsManagerRef } from "../../core/secret-ref.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { LOCAL_NOTION_TOKEN_PREFIX } from "../local-stack-info.js";
import { printJson, printLine } from "../output.js";

export interface ConnectCommandOptions {
  tenant?: string;
  workspace?: string;
  tokenSecret?: string;
  tokenEnv?: string;
  /** `requests a second[/burst]`: the binding's own Notion rate budget (lib/rate-limit/gcra.ts). */
  notionRate?: string;
  json?: boolean;
}

interface TokenReference {
  tokenRef: string;
  secret: { name: string; arn: string; created: boolean } | null;
}

/** `3` or `3/5`: requests a second on average, and the burst (default 3). */
function parseNotionRate(text: string): { requestsPerSecond: number; burst: number } {
  const match = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(text.trim());
  const requestsPerSecond = Number(match?.[1]);
  const burst = match?.[2] === undefined ? 3 : Number(match[2]);
  if (
    match === null ||
    !(requestsPerSecond > 0 && requestsPerSecond <= 1000) ||
    !(burst >= 1 && burst <= 1000)
  ) {
    throw new PermanentError(
      `--notion-rate must be requests a second (0–1000), optionally /burst (1–1000), e.g. 3/3; got "${text}"`,
    );
  }
  return { requestsPerSecond, burst };
}

export async function connectCommand(connection: Connection, options: ConnectCommandOptions): Promise<void> {
  if (options.tenant === undefined || options.workspace === undefined) {
    throw new PermanentError(
      "connect needs --tenant and --workspace with a token (or --oauth to connect through Notion's OAuth)",
    );
  }
  const tenantId = checkTenantId(options.tenant, "--tenant");
  const workspaceId = checkId("--workspace", options.workspace);
  const notionRate = options.notionRate === undefined ? undefined : parseNotionRate(options.notionRate);
  const reference = connection.stack
    ? await deployedTokenRef(connection.stack, tenantId, workspaceId, options)
    : await localTokenRef(connection, tenantId, workspaceId, options);
  const existing = await connection.adapters.store.getBinding(tenantId, workspaceId);
  await connection.adapters.store.putBinding({
    // A reconnect (a new token) keeps the binding's webhook: its URL, and the workspace it learnt.
    ...existing,
    tenantId,
    provider: "notion",
    workspaceId,
    tokenRef: reference.tokenRef,
    disabled: false,
    ...(notionRate === undefined ? {} : { notionRate }),
    connectedBy: "token",
    // A cached copy of an older token is read again, and a "disconnected" mark is cleared.
    connectedAt: new Date().toISOString(),
    disconnected: undefined,
  });
  if (options.json) {
    printJson({ tenantId, workspaceId, tokenRef: reference.tokenRef, secret: reference.secret, notionRate });
    return;
  }
  const where = reference.secret
    ? `secret ${reference.secret.name}${reference.secret.created ? " (created)" : " (new value stored)"}`
    : reference.tokenRef;
  printLine(`connected tenant ${tenantId}, Notion workspace ${workspaceId}: token from ${where}`);
  printLine(
    "`notion-index-sync sync` re-checks the documents now (a changed token is used within five minutes).",
  );
}

async function deployedTokenRef(
  stack: DeployedStack,
  tenantId: string,
  workspaceId: string,
  options: ConnectCommandOptions,
): Promise<TokenReference> {
  const prefix = stack.outputs.NotionTokenSecretPrefix ?? "";
  const client = createSecretsManagerClient({
    region: stack.region,
    endpoint: process.env.SECRETS_MANAGER_ENDPOINT || undefined,
  });
  try {
    if (options.tokenSecret) {
      const found = await describeSecret(client, options.tokenSecret);
      // The functions may read only secrets under the prefix (infra/secret-access.ts).
      if (!found.name.startsWith(prefix)) {
        throw new PermanentError(
          `secret ${found.name} is outside ${prefix}: stack ${stack.name}'s functions may read only Notion tokens whose secret name starts with ${prefix} (create it as ${prefix}${secretSegment(tenantId)}/${secretSegment(workspaceId)}, or connect from NOTION_TOKEN)`,
        );
      }
      return { tokenRef: secretsManagerRef(found.arn), secret: { ...found, created: false } };
    }
    const token = tokenFromEnvironment(options);
    const saved = await saveSecretString(client, {
      name: `${prefix}${secretSegment(tenantId)}/${secretSegment(workspaceId)}`,
      value: token,
      description: `Notion integration token of tenant ${tenantId}, workspace ${workspaceId} (notion-index-sync stack ${stack.name})`,
      tags: { "notion-index-sync:stack": stack.name, "notion-index-sync:tenant": tenantId },
    });
    return { tokenRef: secretsManagerRef(saved.arn), secret: saved };
  } finally {
    client.destroy();
  }
}

async function localTokenRef(
  connection: Connection,
  tenantId: string,
  workspaceId: string,
  options: ConnectCommandOptions,
): Promise<TokenReference> {
  if (!connection.local) {
    throw new PermanentError(
      "connect needs a stack: start the local one with `npm start`, or pass --stack NAME for a deployed one",
    );
  }
  if (options.tokenSecret) return { tokenRef: secretsManagerRef(options.tokenSecret), secret: null };
  const token = tokenFromEnvironment(options);
  const client = createSecretsManagerClient({
    region: connection.local.region,
    endpoint: connection.local.secretsManagerEndpoint,
  });
  try {
    const saved = await saveSecretString(client, {
      name: `${LOCAL_NOTION_TOKEN_PREFIX}${secretSegment(tenantId)}/${secretSegment(workspaceId)}`,
      value: token,
      description: `Notion integration token of tenant ${tenantId}, workspace ${workspaceId} (local stack)`,
      tags: { "notion-index-sync:tenant": tenantId },
    });
    return { tokenRef: secretsManagerRef(saved.arn), secret: saved };
  } finally {
    client.destroy();
  }
}

/** The token to store: the value of `--token-env NAME` (default NOTION_TOKEN), read once, here. */
function tokenFromEnvironment(options: ConnectCommandOptions): string {
  const variable = options.tokenEnv ?? "NOTION_TOKEN";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new PermanentError(`--token-env ${variable}: not an environment variable name`);
  }
  const token = process.env[variable];
  if (!token) {
    throw new PermanentError(
      `no token to connect: set ${variable} to the integration token to store it in a new secret, or pass --token-secret NAME (a secret holding it)`,
    );
  }
  return token;
}

function checkId(option: string, value: string): string {
  if (!ID_PATTERN.test(value)) {
    throw new PermanentError(`${option} ${value}: ids are 1-128 letters, digits and . _ : -`);
  }
  return value;
}

/** Secret names allow letters, digits and /_+=.@- but not ":": "=" stands in, as ids never contain it. */
function secretSegment(id: string): string {
  return id.replaceAll(":", "=");
}
