/**
 * The OAuth function's adapters, from its validated configuration: the table (states, bindings, API
 * keys), its two secrets, the token secrets it creates under the binding prefix, and Notion's token
 * endpoint over `fetch` on the one retry policy. No queue, no Pinecone, no embedder. The local stack
 * and the tests build the same ones.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { awsClientOptions } from "../../lib/adapters/aws/aws-clients.js";
import { createDynamoDbApiKeyStore } from "../../lib/adapters/aws/dynamodb-api-key-store.js";
import { createDynamoDbOAuthStateStore } from "../../lib/adapters/aws/dynamodb-oauth-state-store.js";
import { createDynamoDbStore } from "../../lib/adapters/aws/dynamodb-store.js";
import { createOAuthSecrets, createOAuthTokenSaver } from "../../lib/adapters/aws/oauth-secrets.js";
import { createSecretsManagerClient } from "../../lib/adapters/aws/secrets-manager-client.js";
import { createSecretsManagerStore } from "../../lib/adapters/aws/secrets-manager-store.js";
import type { OAuthConfig } from "../../lib/composition/oauth-config.js";
import type { OAuthOptions } from "../../lib/oauth/handle-request.js";
import type { OAuthPorts } from "../../lib/oauth/ports.js";
import { createTokenExchange } from "../../lib/oauth/token-exchange.js";
import { retryingFetch } from "../../lib/rate-limit/retrying-fetch.js";
import { authenticate } from "../../lib/retrieval/api-keys.js";

/**
 * The function answers a browser within its 10 s, and the code is single-use: two attempts of 3 s at
 * most, one short pause between (7 s in all), so a slow Notion is a clear 502, never a timeout.
 */
const EXCHANGE_RETRIES = { maxRetries: 1, baseDelayMs: 300, maxDelayMs: 1000 };
const EXCHANGE_TIMEOUT_MS = 3000;

export function createOAuthAdapters(config: OAuthConfig): Omit<OAuthPorts, "clock" | "log"> {
  const dynamodb = new DynamoDBClient(awsClientOptions(config.AWS_REGION, config.DYNAMODB_ENDPOINT));
  const secretsManager = createSecretsManagerClient({
    region: config.AWS_REGION,
    endpoint: config.SECRETS_MANAGER_ENDPOINT,
  });
  const keys = createDynamoDbApiKeyStore(dynamodb, config.TABLE_NAME);
  return {
    states: createDynamoDbOAuthStateStore(dynamodb, config.TABLE_NAME),
    // A filled-in client secret is picked up within a minute.
    secrets: createOAuthSecrets(createSecretsManagerStore(secretsManager, { ttlMs: 60_000 }), {
      clientSecretId: config.OAUTH_CLIENT_SECRET_ID,
      stateKeySecretId: config.OAUTH_STATE_KEY_SECRET_ID,
    }),
    tokens: createOAuthTokenSaver(secretsManager, config.NOTION_TOKEN_SECRET_PREFIX),
    store: createDynamoDbStore(dynamodb, config.TABLE_NAME),
    authenticate: (authorization) => authenticate(keys, authorization),
    exchange: createTokenExchange({
      baseUrl: config.NOTION_BASE_URL,
      fetch: retryingFetch(EXCHANGE_RETRIES),
      timeoutMs: EXCHANGE_TIMEOUT_MS,
    }),
  };
}

export function oauthOptionsFrom(config: OAuthConfig): OAuthOptions {
  return {
    authorizeBaseUrl: config.NOTION_AUTHORIZE_BASE_URL ?? config.NOTION_BASE_URL,
    stateTtlSeconds: config.OAUTH_STATE_TTL_SECONDS,
    ...(config.OAUTH_RETURN_URL ? { returnUrl: config.OAUTH_RETURN_URL } : {}),
  };
}
