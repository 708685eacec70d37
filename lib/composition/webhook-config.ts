import * as z from "zod/mini";
import { nonEmpty, optionalUrl, url, validated, wholeNumber } from "./config.js";

/**
 * The webhook function's configuration: it needs the table, the sync queue and its token secrets,
 * and nothing of Pinecone, Notion or the embedder.
 */
const webhookConfigSchema = z.object({
  TABLE_NAME: nonEmpty,
  SYNC_QUEUE_URL: url,
  AWS_REGION: z._default(nonEmpty, "us-east-1"),
  DYNAMODB_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
  SECRETS_MANAGER_ENDPOINT: optionalUrl,
  /** Where the per-binding verification tokens live (a Secrets Manager name prefix ending in "/"). */
  WEBHOOK_TOKEN_SECRET_PREFIX: z
    .string()
    .check(z.regex(/^[A-Za-z0-9/_+=.@-]{1,400}\/$/, 'must be a secret name prefix ending in "/"')),
  /** Delay of the unit sync an event enqueues; a burst inside it becomes one sync (SQS: at most 900). */
  WEBHOOK_DEBOUNCE_SECONDS: z._default(wholeNumber(0, 900), 30),
  /** Signed events older than this are refused as replays. */
  WEBHOOK_REPLAY_WINDOW_SECONDS: z._default(wholeNumber(60, 86_400), 600),
  /** How far ahead of our clock an event's timestamp may be. */
  WEBHOOK_CLOCK_SKEW_SECONDS: z._default(wholeNumber(0, 600), 60),
});

export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

export function loadWebhookConfig(env: NodeJS.ProcessEnv = process.env): WebhookConfig {
  return validated(webhookConfigSchema, env, "invalid webhook configuration");
}
