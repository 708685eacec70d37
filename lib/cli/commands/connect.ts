/**
 * `connect --tenant T --workspace W`: binds a tenant's Notion workspace to its integration token, so
 * multi-tenant use needs no hand-edited items. The binding keeps a reference to the token, never
 * the token (design §3):
 * - deployed stack: `--token-secret NAME` (an existing secret under the stack's prefix), or the
 *   value of NOTION_TOKEN stored in a new secret `<prefix><tenant>/<workspace>` (replaced if it exists);
 * - local stack: `env:NAME`, the environment variable the local functions read (default NOTION_TOKEN).
 */
import { PermanentError } from "../../errors.js";
import { describeSecret, saveSecretString } from "../../secrets/secret-admin.js";
import { secretsManagerRef } from "../../secrets/secret-ref.js";
import { createSecretsManagerClient } from "../../secrets/secrets-manager-client.js";
import type { Connection } from "../connect.js";
import type { DeployedStack } from "../deployed-stack.js";
import { printJson, printLine } from "../output.js";

export interface ConnectCommandOptions {
  tenant: string;
  workspace: string;
  tokenSecret?: string;
  tokenEnv?: string;
  json?: boolean;
}

interface TokenReference {
  tokenRef: string;
  secret: { name: string; arn: string; created: boolean } | null;
}

/** The id rule of messages and keys (lib/messages.ts): tenant and workspace ids end up in both. */
const ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function connectCommand(connection: Connection, options: ConnectCommandOptions): Promise<void> {
  const tenantId = checkId("--tenant", options.tenant);
  const workspaceId = checkId("--workspace", options.workspace);
  const reference = connection.stack
    ? await deployedTokenRef(connection.stack, tenantId, workspaceId, options)
    : localTokenRef(options);
  await connection.adapters.store.putBinding({
    tenantId,
    provider: "notion",
    workspaceId,
    tokenRef: reference.tokenRef,
    disabled: false,
  });
  if (options.json) {
    printJson({ tenantId, workspaceId, tokenRef: reference.tokenRef, secret: reference.secret });
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
  if (options.tokenEnv) {
    throw new PermanentError(
      "--token-env is for the local stack: a deployed stack's functions read Notion tokens from Secrets Manager (use --token-secret, or NOTION_TOKEN)",
    );
  }
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
    const token = process.env.NOTION_TOKEN;
    if (!token) {
      throw new PermanentError(
        "no token to connect: pass --token-secret NAME (a secret holding the integration token), or set NOTION_TOKEN to store it in a new secret",
      );
    }
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

function localTokenRef(options: ConnectCommandOptions): TokenReference {
  if (options.tokenSecret) return { tokenRef: secretsManagerRef(options.tokenSecret), secret: null };
  const name = options.tokenEnv ?? "NOTION_TOKEN";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new PermanentError(`--token-env ${name}: not an environment variable name`);
  }
  return { tokenRef: `env:${name}`, secret: null };
}

function checkId(option: string, value: string): string {
  if (!ID.test(value)) {
    throw new PermanentError(`${option} ${value}: ids are 1-128 letters, digits and . _ : -`);
  }
  return value;
}

/** Secret names allow letters, digits and /_+=.@- but not ":": "=" stands in, as ids never contain it. */
function secretSegment(id: string): string {
  return id.replaceAll(":", "=");
}
