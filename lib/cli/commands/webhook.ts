/**
 * `webhook url|token|reset`: setting up a binding's Notion webhook subscription.
 * - `url`: the URL to paste into the integration's Webhooks tab (and, first, makes every document
 *   the tenant registered before webhooks existed findable by its Notion page id);
 * - `token`: the verification token Notion sent in the handshake, to paste back into Notion's
 *   "Verify" dialog. Printing it on the operator's own terminal, on request, is the one place the
 *   token is ever shown: it is never logged;
 * - `reset`: rotates the URL's secret (the old URL answers 404 from then on), forgets the Notion
 *   workspace id the binding learnt from its first event, and lets the next handshake replace the
 *   stored token (a re-created subscription) for a few minutes only, since the handshake is unsigned.
 *   It prints the new URL, for the new subscription.
 *
 * The URL ends in the binding's path secret: printed here on request, like the token, never logged.
 */
import { createDynamoDbWebhookStore } from "../../adapters/aws/dynamodb-webhook-store.js";
import { createSecretsManagerClient } from "../../adapters/aws/secrets-manager-client.js";
import { createWebhookTokenStore, webhookTokenSecretName } from "../../adapters/aws/webhook-token-store.js";
import type { DataSourceBinding } from "../../core/model.js";
import { PermanentError } from "../../shared/errors.js";
import { newPathSecret } from "../../webhooks/path-secret.js";
import { webhookUrlFor } from "../../webhooks/webhook-path.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";

export interface WebhookCommandOptions {
  tenant?: string;
  workspace?: string;
  json?: boolean;
}

export async function webhookUrlCommand(connection: Connection, options: WebhookCommandOptions) {
  let binding = await bindingOf(connection, options);
  const base = setting(connection, "url");
  if (binding.webhookPathSecret === undefined) {
    binding = { ...binding, webhookPathSecret: newPathSecret() };
    await connection.adapters.store.putBinding(binding);
  }
  const url = urlOf(base, binding);
  // Documents registered before webhooks existed have no page-index entry yet: write them (idempotent).
  const documents = (await connection.adapters.store.listDocuments({ tenantId: binding.tenantId })).filter(
    (document) => document.dataSourceInfo.workspaceId === binding.workspaceId,
  );
  const webhooks = createDynamoDbWebhookStore(connection.adapters.dynamodb, setting(connection, "table"));
  const indexed = await webhooks.indexDocumentPages(documents);
  if (options.json) {
    printJson({
      tenantId: binding.tenantId,
      workspaceId: binding.workspaceId,
      url,
      documentsIndexed: indexed,
    });
    return;
  }
  printLine(url);
  printLine(
    `(${indexed} registered document${indexed === 1 ? "" : "s"} of the binding can be found by Notion page id.)`,
  );
  printLine(
    "Paste it into your Notion integration's Webhooks tab (Create a subscription), then run `notion-index-sync webhook token` to get the verification token Notion sends.",
  );
}

export async function webhookTokenCommand(connection: Connection, options: WebhookCommandOptions) {
  const binding = await bindingOf(connection, options);
  const client = createSecretsManagerClient(secretsManagerOptions(connection));
  try {
    const prefix = setting(connection, "prefix");
    const token = await createWebhookTokenStore(client, { prefix }).getToken(
      binding.tenantId,
      binding.workspaceId,
    );
    if (token === undefined) {
      throw new PermanentError(
        `no verification token for tenant ${binding.tenantId}, workspace ${binding.workspaceId} yet: create the subscription in Notion with the URL from \`notion-index-sync webhook url\` first (Notion then sends the token to it)`,
      );
    }
    const secret = webhookTokenSecretName(prefix, binding.tenantId, binding.workspaceId);
    if (options.json) {
      printJson({
        tenantId: binding.tenantId,
        workspaceId: binding.workspaceId,
        secret,
        verificationToken: token,
      });
      return;
    }
    printLine(token);
    printLine(`(from secret ${secret}: paste it into the subscription's "Verify" dialog in Notion.)`);
  } finally {
    client.destroy();
  }
}

/** How long an armed reset stays open. */
const RESET_MINUTES = 15;

export async function webhookResetCommand(connection: Connection, options: WebhookCommandOptions) {
  const binding = await bindingOf(connection, options);
  const until = new Date(Date.now() + RESET_MINUTES * 60_000).toISOString();
  const reset: DataSourceBinding = {
    ...binding,
    webhookPathSecret: newPathSecret(),
    webhookTokenResetUntil: until,
    // Learnt again from the first event of the new subscription.
    notionWorkspaceId: undefined,
  };
  const url = urlOf(setting(connection, "url"), reset);
  await connection.adapters.store.putBinding(reset);
  if (options.json) {
    printJson({ tenantId: binding.tenantId, workspaceId: binding.workspaceId, url, resetUntil: until });
    return;
  }
  printLine(url);
  printLine(
    `The webhook URL of tenant ${binding.tenantId}, workspace ${binding.workspaceId} is new (the old one now answers 404). Create a subscription with it in Notion now: its handshake may replace the stored token until ${until}; then run \`notion-index-sync webhook token\`.`,
  );
}

function urlOf(base: string, binding: DataSourceBinding): string {
  const { tenantId, workspaceId, webhookPathSecret } = binding;
  if (webhookPathSecret === undefined) throw new Error("the binding has no webhook path secret");
  return webhookUrlFor(base, { tenantId, workspaceId, pathSecret: webhookPathSecret });
}

async function bindingOf(connection: Connection, options: WebhookCommandOptions): Promise<DataSourceBinding> {
  const tenantId = options.tenant ?? connection.defaults.tenantId;
  const workspaceId = options.workspace ?? connection.defaults.workspaceId;
  const binding = await connection.adapters.store.getBinding(tenantId, workspaceId);
  if (!binding) {
    throw new PermanentError(
      `no binding for tenant ${tenantId}, workspace ${workspaceId}: connect it first (\`notion-index-sync connect --tenant ${tenantId} --workspace ${workspaceId}\`)`,
    );
  }
  if (binding.disabled)
    throw new PermanentError(`the binding of tenant ${tenantId}, workspace ${workspaceId} is disabled`);
  return binding;
}

/** Where the webhook lives, for the stack the CLI talks to. */
function setting(connection: Connection, name: "url" | "prefix" | "table"): string {
  const { local, stack } = connection;
  const value =
    name === "url"
      ? (local?.webhookUrl ?? stack?.outputs.WebhookUrl ?? process.env.WEBHOOK_URL)
      : name === "prefix"
        ? (local?.webhookTokenSecretPrefix ??
          stack?.outputs.WebhookTokenSecretPrefix ??
          process.env.WEBHOOK_TOKEN_SECRET_PREFIX)
        : (local?.tableName ?? stack?.outputs.TableName ?? process.env.TABLE_NAME);
  if (!value) {
    throw new PermanentError(
      stack
        ? `stack ${stack.name} has no webhook (no ${name === "url" ? "WebhookUrl" : "WebhookTokenSecretPrefix"} output): deploy this version with \`npx cdk deploy\``
        : "this stack has no webhook endpoint (start the local stack with the Notion stand-in, or use --stack NAME)",
    );
  }
  return value;
}

function secretsManagerOptions(connection: Connection) {
  if (connection.local)
    return { region: connection.local.region, endpoint: connection.local.secretsManagerEndpoint };
  return {
    region: connection.stack?.region ?? process.env.AWS_REGION,
    endpoint: process.env.SECRETS_MANAGER_ENDPOINT || undefined,
  };
}
