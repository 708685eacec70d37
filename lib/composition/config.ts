/**
 * Configuration, read from the environment once at cold start and validated: a bad value fails
 * loudly with every problem on one line. Secret values are never echoed back.
 */
import * as z from "zod/mini";
import "../core/zod-english.js";
import { EMBEDDING_PROVIDERS } from "../shared/embedding-models.js";
import { ConfigError } from "../shared/errors.js";

/** Loose on purpose: local SQS stand-ins hand out queue URLs such as http://sqs.us-east-1.127.0.0.1:4566/…. */
const url = z.string().check(z.regex(/^https?:\/\/\S+$/, "must be an http(s) URL"));
const optionalUrl = z.optional(url);
const nonEmpty = z.string().check(z.minLength(1));
/** A whole number from the environment, within bounds. */
const wholeNumber = (min: number, max: number) =>
  z.pipe(z.coerce.number(), z.int().check(z.gte(min), z.lte(max)));
/** A positive number from the environment, up to `max`. */
const positiveNumber = (max: number) => z.coerce.number().check(z.positive(), z.lte(max));

const configSchema = z.object({
  TABLE_NAME: nonEmpty,
  SYNC_QUEUE_URL: url,
  INDEX_QUEUE_URL: url,
  /** Where each function dead-letters the poison messages of the queue it consumes. */
  SYNC_DEAD_LETTER_QUEUE_URL: optionalUrl,
  INDEX_DEAD_LETTER_QUEUE_URL: optionalUrl,
  AWS_REGION: z._default(nonEmpty, "us-east-1"),
  /** Local stand-ins only; unset in AWS. */
  DYNAMODB_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
  SECRETS_MANAGER_ENDPOINT: optionalUrl,
  PINECONE_INDEX_HOST: nonEmpty,
  PINECONE_API_KEY: nonEmpty,
  PINECONE_CONTROLLER_HOST: optionalUrl,
  NOTION_BASE_URL: optionalUrl,
  NOTION_TIMEOUT_MS: z._default(wholeNumber(1000, 120_000), 15_000),
  /**
   * Each binding's Notion rate budget unless the binding sets its own: requests a second on average
   * (Notion allows an integration about 3) and the burst. Every instance of every function shares
   * one budget per binding, kept in the table (lib/adapters/aws/dynamodb-rate-budget.ts).
   */
  NOTION_REQUESTS_PER_SECOND: z._default(positiveNumber(10_000), 3),
  NOTION_BURST: z._default(wholeNumber(1, 10_000), 3),
  /** Which embedder (lib/shared/embedding-models.ts lists each provider's models and dimensions). */
  EMBEDDING_PROVIDER: z._default(z.enum(EMBEDDING_PROVIDERS), "local"),
  /** The provider's default model when unset. */
  EMBEDDING_MODEL: z.optional(nonEmpty),
  /** The model's default dimension when unset (384 for the local embedder). */
  EMBEDDING_DIMENSION: z.optional(wholeNumber(8, 20_000)),
  /** The content-hash embedding cache in the table: a re-sync pays only for text that changed. */
  EMBEDDING_CACHE: z._default(z.enum(["on", "off"]), "on"),
  OPENAI_API_KEY: z.optional(nonEmpty),
  OPENAI_BASE_URL: optionalUrl,
  /** Bedrock's region when it differs from AWS_REGION; the endpoint only for a stand-in or VPC endpoint. */
  BEDROCK_REGION: z.optional(nonEmpty),
  BEDROCK_ENDPOINT: optionalUrl,
  /** How long a claim holds a document; a run that makes progress renews it (every checkpoint). */
  LEASE_SECONDS: z._default(wholeNumber(1, 86_400), 900),
  /** A long Notion read saves a checkpoint and renews its lease this often. */
  CHECKPOINT_EVERY_SECONDS: z._default(positiveNumber(3600), 60),
  /** An index run stops reading this long before its invocation's deadline and goes on in the next. */
  STOP_BEFORE_DEADLINE_SECONDS: z._default(positiveNumber(600), 45),
  /** Likewise a sweep's listing (one search request at a time, in the shorter sync function). */
  SWEEP_STOP_BEFORE_DEADLINE_SECONDS: z._default(positiveNumber(600), 20),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return validated(configSchema, env, "invalid configuration");
}

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

const shared = configSchema.shape;

/**
 * The OAuth function's configuration (Notion public integrations, ADR 0016): the table (states,
 * bindings, API keys), its two secrets, where grants' tokens go and where Notion is.
 */
const oauthConfigSchema = z.object({
  TABLE_NAME: shared.TABLE_NAME,
  AWS_REGION: shared.AWS_REGION,
  DYNAMODB_ENDPOINT: shared.DYNAMODB_ENDPOINT,
  SECRETS_MANAGER_ENDPOINT: shared.SECRETS_MANAGER_ENDPOINT,
  /** Notion's API (the token endpoint); also its authorize page unless NOTION_AUTHORIZE_BASE_URL. */
  NOTION_BASE_URL: z._default(url, "https://api.notion.com"),
  NOTION_AUTHORIZE_BASE_URL: optionalUrl,
  /** Grants' tokens go in a secret `<prefix><tenant>/<workspace>`, like `connect`'s. */
  NOTION_TOKEN_SECRET_PREFIX: z
    .string()
    .check(z.regex(/^[A-Za-z0-9/_+=.@-]{1,400}\/$/, 'must be a secret name prefix ending in "/"')),
  /** `{"clientId","clientSecret"}` of the public integration (a name or ARN). */
  OAUTH_CLIENT_SECRET_ID: nonEmpty,
  /** The HMAC key of states and start links (a name or ARN). */
  OAUTH_STATE_KEY_SECRET_ID: nonEmpty,
  OAUTH_STATE_TTL_SECONDS: z._default(wholeNumber(60, 3600), 600),
  /** After the callback, 302 here with `?status=…`; unset: a short page. */
  OAUTH_RETURN_URL: optionalUrl,
});

export type OAuthConfig = z.infer<typeof oauthConfigSchema>;

export function loadOAuthConfig(env: NodeJS.ProcessEnv = process.env): OAuthConfig {
  return validated(oauthConfigSchema, env, "invalid oauth configuration");
}

/**
 * The query function's configuration: the table (datasets, documents, segments, keys), Pinecone and
 * the embedders (a query is embedded by its dataset's model). No queue and no Notion.
 */
const queryConfigSchema = z.object({
  TABLE_NAME: shared.TABLE_NAME,
  AWS_REGION: shared.AWS_REGION,
  DYNAMODB_ENDPOINT: shared.DYNAMODB_ENDPOINT,
  PINECONE_INDEX_HOST: shared.PINECONE_INDEX_HOST,
  PINECONE_API_KEY: shared.PINECONE_API_KEY,
  PINECONE_CONTROLLER_HOST: shared.PINECONE_CONTROLLER_HOST,
  EMBEDDING_PROVIDER: shared.EMBEDDING_PROVIDER,
  EMBEDDING_MODEL: shared.EMBEDDING_MODEL,
  EMBEDDING_DIMENSION: shared.EMBEDDING_DIMENSION,
  EMBEDDING_CACHE: shared.EMBEDDING_CACHE,
  OPENAI_API_KEY: shared.OPENAI_API_KEY,
  OPENAI_BASE_URL: shared.OPENAI_BASE_URL,
  BEDROCK_REGION: shared.BEDROCK_REGION,
  BEDROCK_ENDPOINT: shared.BEDROCK_ENDPOINT,
  /** Each API key's request rate (every instance of the function shares it) and its burst. */
  QUERY_REQUESTS_PER_SECOND: z._default(positiveNumber(10_000), 10),
  QUERY_BURST: z._default(wholeNumber(1, 10_000), 20),
});

export type QueryConfig = z.infer<typeof queryConfigSchema>;

export function loadQueryConfig(env: NodeJS.ProcessEnv = process.env): QueryConfig {
  return validated(queryConfigSchema, env, "invalid query configuration");
}

function validated<T>(schema: z.ZodMiniType<T>, env: NodeJS.ProcessEnv, what: string): T {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    throw new ConfigError(`${what}: ${problems}`);
  }
  return parsed.data;
}
