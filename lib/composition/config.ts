/**
 * Configuration, read from the environment once at cold start and validated: a bad value fails
 * loudly with every problem on one line. Secret values are never echoed back. This module holds the
 * sync and index functions' settings (and the CLI's); the webhook, query and OAuth functions have a
 * module each (`*-config.ts`): a zod schema is built when its module loads, so a bundle would carry
 * every schema of a shared module, used or not.
 */
import * as z from "zod/mini";
import "../core/zod-english.js";
import { EMBEDDING_PROVIDERS } from "../shared/embedding-models.js";
import { ConfigError } from "../shared/errors.js";

/** Loose on purpose: local SQS stand-ins hand out queue URLs such as http://sqs.us-east-1.127.0.0.1:4566/…. */
export const url = z.string().check(z.regex(/^https?:\/\/\S+$/, "must be an http(s) URL"));
export const optionalUrl = z.optional(url);
export const nonEmpty = z.string().check(z.minLength(1));
/** A whole number from the environment, within bounds. */
export const wholeNumber = (min: number, max: number) =>
  z.pipe(z.coerce.number(), z.int().check(z.gte(min), z.lte(max)));
/** A positive number from the environment, up to `max`. */
export const positiveNumber = (max: number) => z.coerce.number().check(z.positive(), z.lte(max));

export const configSchema = z.object({
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

/** The environment read through a schema; every problem on one line (values never echoed). */
export function validated<T>(schema: z.ZodMiniType<T>, env: NodeJS.ProcessEnv, what: string): T {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    throw new ConfigError(`${what}: ${problems}`);
  }
  return parsed.data;
}
