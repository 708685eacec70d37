/**
 * The webhook function's adapters, from its validated configuration: the table (bindings, page
 * index, parent index, debounce markers, events seen), the sync queue and the token secrets. Nothing else: no
 * Notion, Pinecone or embedder, so its bundle stays small and its cold start short. The local
 * stack and the tests build the same ones.
 */
import { createDataClients } from "../../lib/adapters/aws/aws-clients.js";
import { createDynamoDbParentIndex } from "../../lib/adapters/aws/dynamodb-parent-index.js";
import { createDynamoDbStore } from "../../lib/adapters/aws/dynamodb-store.js";
import { createDynamoDbWebhookStore } from "../../lib/adapters/aws/dynamodb-webhook-store.js";
import { createSecretsManagerClient } from "../../lib/adapters/aws/secrets-manager-client.js";
import { createSqsPublisher } from "../../lib/adapters/aws/sqs-queue.js";
import { createWebhookTokenStore } from "../../lib/adapters/aws/webhook-token-store.js";
import type { WebhookConfig } from "../../lib/composition/webhook-config.js";
import type { WebhookOptions, WebhookPorts } from "../../lib/webhooks/handle-request.js";

/** Notion's events are a few hundred bytes; anything far larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

export function createWebhookAdapters(config: WebhookConfig): Omit<WebhookPorts, "clock" | "log"> {
  const { dynamodb, sqs } = createDataClients(config);
  const secretsManager = createSecretsManagerClient({
    region: config.AWS_REGION,
    endpoint: config.SECRETS_MANAGER_ENDPOINT,
  });
  return {
    store: createDynamoDbStore(dynamodb, config.TABLE_NAME),
    webhooks: createDynamoDbWebhookStore(dynamodb, config.TABLE_NAME),
    parents: createDynamoDbParentIndex(dynamodb, config.TABLE_NAME),
    tokens: createWebhookTokenStore(secretsManager, { prefix: config.WEBHOOK_TOKEN_SECRET_PREFIX }),
    syncQueue: createSqsPublisher(sqs, config.SYNC_QUEUE_URL),
  };
}

export function webhookOptionsFrom(config: WebhookConfig): WebhookOptions {
  return {
    debounceSeconds: config.WEBHOOK_DEBOUNCE_SECONDS,
    replayWindow: {
      maxAgeSeconds: config.WEBHOOK_REPLAY_WINDOW_SECONDS,
      maxSkewSeconds: config.WEBHOOK_CLOCK_SKEW_SECONDS,
    },
    maxBodyBytes: MAX_BODY_BYTES,
  };
}
