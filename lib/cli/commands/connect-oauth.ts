/**
 * `connect --oauth [--tenant T] [--valid-hours N]`: prints a signed start link of the OAuth function
 * (ADR 0016) for the tenant: whoever opens it in a browser is sent to Notion to pick a workspace and
 * grant access, and the callback connects it. The link is signed with the stack's state key (read
 * with the operator's credentials) and expires (default 24 h).
 *
 * `connect --oauth-client --client-id ID`: stores the public integration's client id and the secret
 * read from NOTION_OAUTH_CLIENT_SECRET in the stack's OAuth client secret. Neither the client secret
 * nor the state key is ever printed.
 */

import { PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { createSecretsManagerClient } from "../../adapters/aws/secrets-manager-client.js";
import { secretsManagerError } from "../../adapters/aws/secrets-manager-errors.js";
import { readSecretString } from "../../adapters/aws/secrets-manager-store.js";
import { checkTenantId } from "../../core/ids.js";

import { signedStartLink } from "../../oauth/signing.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";

/** A start link is a credential of its tenant (ADR 0016): a week at most. */
const MAX_VALID_HOURS = 24 * 7;

export interface ConnectOAuthOptions {
  tenant?: string;
  validHours?: string;
  json?: boolean;
}

interface OAuthTarget {
  oauthUrl: string;
  stateKeySecret: string;
  clientSecret: string;
  redirectUri: string;
  client: ReturnType<typeof createSecretsManagerClient>;
}

function oauthTarget(connection: Connection): OAuthTarget {
  if (connection.stack) {
    const outputs = connection.stack.outputs as Record<string, string | undefined>;
    const { OAuthUrl, OAuthStateKeySecretName, NotionOAuthClientSecretName } = outputs;
    if (!OAuthUrl || !OAuthStateKeySecretName || !NotionOAuthClientSecretName) {
      throw new PermanentError(
        `stack ${connection.stack.name} has no OAuth function (outputs OAuthUrl, OAuthStateKeySecretName): deploy this version first`,
      );
    }
    return {
      oauthUrl: OAuthUrl,
      stateKeySecret: OAuthStateKeySecretName,
      clientSecret: NotionOAuthClientSecretName,
      redirectUri: outputs.OAuthRedirectUri ?? `${OAuthUrl.replace(/\/$/, "")}/oauth/callback`,
      client: createSecretsManagerClient({
        region: connection.stack.region,
        endpoint: process.env.SECRETS_MANAGER_ENDPOINT || undefined,
      }),
    };
  }
  const local = connection.local;
  if (!local?.oauthUrl || !local.oauthStateKeySecretName || !local.oauthClientSecretName) {
    throw new PermanentError(
      "connect --oauth needs a stack with the OAuth function: the local one (`npm start`, with the Notion stand-in) or a deployed one (--stack NAME)",
    );
  }
  return {
    oauthUrl: local.oauthUrl,
    stateKeySecret: local.oauthStateKeySecretName,
    clientSecret: local.oauthClientSecretName,
    redirectUri: `${local.oauthUrl.replace(/\/$/, "")}/oauth/callback`,
    client: createSecretsManagerClient({ region: local.region, endpoint: local.secretsManagerEndpoint }),
  };
}

export async function connectOAuthCommand(
  connection: Connection,
  options: ConnectOAuthOptions,
): Promise<void> {
  const tenantId = options.tenant ?? connection.defaults.tenantId;
  checkTenantId(tenantId, "--tenant");
  const hours = options.validHours === undefined ? 24 : Number(options.validHours);
  if (!(Number.isFinite(hours) && hours > 0 && hours <= MAX_VALID_HOURS)) {
    throw new PermanentError(
      `--valid-hours must be a number of hours above 0 and at most ${MAX_VALID_HOURS}, got ${options.validHours}`,
    );
  }
  const target = oauthTarget(connection);
  try {
    const key = await readSecretString(target.client, target.stateKeySecret);
    const expiresAt = Math.floor(Date.now() / 1000 + hours * 3600);
    const startUrl = signedStartLink(target.oauthUrl, tenantId, expiresAt, key);
    const expires = new Date(expiresAt * 1000).toISOString();
    if (options.json) {
      printJson({ startUrl, tenantId, expiresAt: expires });
      return;
    }
    printLine(`open this link to connect a Notion workspace to tenant ${tenantId} (valid until ${expires}):`);
    printLine(startUrl);
  } finally {
    target.client.destroy();
  }
}

export interface ConnectOAuthClientOptions {
  clientId?: string;
  json?: boolean;
}

export async function connectOAuthClientCommand(
  connection: Connection,
  options: ConnectOAuthClientOptions,
): Promise<void> {
  if (!options.clientId)
    throw new PermanentError("--oauth-client needs --client-id <the integration's OAuth client id>");
  const clientSecret = process.env.NOTION_OAUTH_CLIENT_SECRET;
  if (!clientSecret) {
    throw new PermanentError(
      "set NOTION_OAUTH_CLIENT_SECRET to the integration's OAuth client secret (it is read from the environment only, never from an option)",
    );
  }
  const target = oauthTarget(connection);
  try {
    try {
      await target.client.send(
        new PutSecretValueCommand({
          SecretId: target.clientSecret,
          SecretString: JSON.stringify({ clientId: options.clientId, clientSecret }),
        }),
      );
    } catch (error) {
      throw secretsManagerError(target.clientSecret, error);
    }
    if (options.json) {
      printJson({
        clientSecretName: target.clientSecret,
        clientId: options.clientId,
        redirectUri: target.redirectUri,
      });
      return;
    }
    printLine(`stored the OAuth client ${options.clientId} in secret ${target.clientSecret}`);
    printLine(`register this redirect URI in the integration's settings: ${target.redirectUri}`);
  } finally {
    target.client.destroy();
  }
}
