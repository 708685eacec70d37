/**
 * Stack configuration, read from CDK context (cdk.json, cdk.context.json or `-c key=value`) and
 * validated up front: every problem is collected and reported in one error that names the
 * context keys, so a bad deploy fails at synth time instead of at the first message.
 */

import * as z from "zod/mini";
import {
  EMBEDDING_PROVIDERS,
  type EmbeddingProvider,
  resolveSelection,
} from "../lib/shared/embedding-models.js";
import { ConfigError } from "../lib/shared/errors.js";
import { decimal, integer, oneOf, optionalShaped, shaped } from "./context-fields.js";

/** A value as CDK context hands it over: JSON from cdk.json, always a string from `-c`. */
type ContextValue = unknown;

/** Reads one context key; an App's `node.tryGetContext` fits. */
export type ContextReader = (key: string) => ContextValue;

export type RemovalPolicyChoice = "retain" | "destroy";

export interface FunctionSettings {
  memoryMb: number;
  timeoutSeconds: number;
  /** SQS event source batch size. */
  batchSize: number;
  /** SQS event source maximum concurrency (2..1000: the SQS event source's own bounds). */
  maxConcurrency: number;
}

export interface StackConfig {
  stackName: string;
  removalPolicy: RemovalPolicyChoice;
  /** Receives before a message moves to its dead-letter queue. */
  maxReceiveCount: number;
  /** EventBridge Scheduler expression for the sweep: rate(...), cron(...) or at(...). */
  sweepSchedule: string;
  /** Scheduler expression for the reconcile: every registered document checked directly. */
  reconcileSchedule: string;
  /**
   * Each Notion binding's default rate budget (a binding may set its own): requests a second on
   * average (Notion allows an integration about 3) and the burst. Shared by all instances.
   */
  notionRequestsPerSecond: number;
  notionBurst: number;
  /**
   * The Pinecone index host, when given as context. Without it the template takes it as the
   * CloudFormation parameter PineconeIndexHostParameter, so `cdk synth` works on a fresh clone.
   */
  pineconeIndexHost: string | undefined;
  /** Name (not value) of the Secrets Manager secret holding the Pinecone API key. */
  pineconeApiKeySecretName: string;
  /** Name of the secret holding the OpenAI API key; used only with the openai provider. */
  openaiApiKeySecretName: string;
  /**
   * Notion tokens live in one secret per binding under this name prefix (`connect` creates them
   * there); the functions may read secrets under it and no others. Default
   * `notion-index-sync/<stackName>/notion/`, so two stacks in one account cannot read each other's.
   */
  notionTokenSecretPrefix: string;
  /** Provider, model and dimension, validated against the known models (lib/shared/embedding-models.ts). */
  embedding: { provider: EmbeddingProvider; model: string; dimension: number };
  /** How long a claim holds a document; must outlast a whole sync + index run. */
  leaseSeconds: number;
  logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** Alarm when a work queue's oldest message is older than this. */
  oldestMessageAlarmSeconds: number;
  /** Alarm when the 95th percentile of freshness lag (Notion edit → served) passes this. */
  freshnessLagAlarmSeconds: number;
  /** Subscribed to the alarm topic when set. */
  alarmEmail: string | undefined;
  sync: FunctionSettings;
  index: FunctionSettings;
  webhook: WebhookSettings;
  query: QuerySettings;
  oauth: OAuthSettings;
}

/** The OAuth function (Notion public integrations, behind a function URL; ADR 0016). */
export interface OAuthSettings {
  /** The secret `{"clientId","clientSecret"}` the stack creates and the operator fills. */
  clientSecretName: string;
  /** The state key the stack generates (HMAC of states and start links). */
  stateKeySecretName: string;
  /** After the callback, the browser is sent here with `?status=…`; unset: a short page. */
  returnUrl: string | undefined;
}

/** The query function (the retrieval API, behind a function URL). */
export interface QuerySettings {
  memoryMb: number;
  timeoutSeconds: number;
  /** Reserved concurrency: caps what a flood of requests can cost, and keeps the pipeline's share. */
  reservedConcurrency: number;
  /** Each API key's request rate (all instances together) and burst. */
  requestsPerSecond: number;
  burst: number;
}

/** The webhook function (Notion's integration webhooks, behind a function URL). */
export interface WebhookSettings {
  memoryMb: number;
  timeoutSeconds: number;
  /** Reserved concurrency: at most this many instances, and never starved by the other functions. */
  reservedConcurrency: number;
  /** Delay of the unit sync an event enqueues; a burst of events for a document inside it is one sync. */
  debounceSeconds: number;
  /** Signed events older than this are refused as replays. */
  replayWindowSeconds: number;
  /** Verification tokens live in one secret per binding under this prefix (the webhook alone may use it). */
  tokenSecretPrefix: string;
}

/** The OAuth function answers in milliseconds and is called a few times per connected workspace. */
export const OAUTH_FUNCTION = { memoryMb: 256, timeoutSeconds: 10, reservedConcurrency: 2 } as const;

/** Context keys, in one place so error messages and cdk.json agree. */
export const CONTEXT_KEYS = {
  stackName: "stackName",
  removalPolicy: "removalPolicy",
  maxReceiveCount: "maxReceiveCount",
  sweepSchedule: "sweepSchedule",
  reconcileSchedule: "reconcileSchedule",
  notionRequestsPerSecond: "notionRequestsPerSecond",
  notionBurst: "notionBurst",
  pineconeIndexHost: "pineconeIndexHost",
  pineconeApiKeySecretName: "pineconeApiKeySecretName",
  openaiApiKeySecretName: "openaiApiKeySecretName",
  notionTokenSecretPrefix: "notionTokenSecretPrefix",
  embeddingProvider: "embeddingProvider",
  embeddingModel: "embeddingModel",
  embeddingDimension: "embeddingDimension",
  leaseSeconds: "leaseSeconds",
  logLevel: "logLevel",
  oldestMessageAlarmSeconds: "oldestMessageAlarmSeconds",
  freshnessLagAlarmSeconds: "freshnessLagAlarmSeconds",
  alarmEmail: "alarmEmail",
  syncMemoryMb: "syncMemoryMb",
  syncTimeoutSeconds: "syncTimeoutSeconds",
  syncBatchSize: "syncBatchSize",
  syncMaxConcurrency: "syncMaxConcurrency",
  indexMemoryMb: "indexMemoryMb",
  indexTimeoutSeconds: "indexTimeoutSeconds",
  indexBatchSize: "indexBatchSize",
  indexMaxConcurrency: "indexMaxConcurrency",
  webhookMemoryMb: "webhookMemoryMb",
  webhookTimeoutSeconds: "webhookTimeoutSeconds",
  webhookReservedConcurrency: "webhookReservedConcurrency",
  webhookDebounceSeconds: "webhookDebounceSeconds",
  webhookReplayWindowSeconds: "webhookReplayWindowSeconds",
  webhookTokenSecretPrefix: "webhookTokenSecretPrefix",
  queryMemoryMb: "queryMemoryMb",
  queryTimeoutSeconds: "queryTimeoutSeconds",
  queryReservedConcurrency: "queryReservedConcurrency",
  queryRequestsPerSecond: "queryRequestsPerSecond",
  queryBurst: "queryBurst",
  notionOAuthClientSecretName: "notionOAuthClientSecretName",
  oauthReturnUrl: "oauthReturnUrl",
} as const;

/**
 * Defaults for every key but pineconeIndexHost (no sensible default: a parameter stands in), alarmEmail
 * (optional), notionTokenSecretPrefix (derived from the stack name) and the embedding model and
 * dimension (the provider's default model and that model's default dimension). cdk.json repeats
 * them so operators can see the knobs; a test keeps the two in step.
 */
export const DEFAULTS = {
  stackName: "NotionIndexSync",
  removalPolicy: "retain",
  maxReceiveCount: 5,
  sweepSchedule: "rate(5 minutes)",
  reconcileSchedule: "cron(30 3 * * ? *)",
  notionRequestsPerSecond: 3,
  notionBurst: 3,
  pineconeApiKeySecretName: "notion-index-sync/pinecone-api-key",
  openaiApiKeySecretName: "notion-index-sync/openai-api-key",
  embeddingProvider: "local",
  leaseSeconds: 900,
  logLevel: "INFO",
  // Older than this, a queued message means the consumer is stuck or far behind.
  oldestMessageAlarmSeconds: 1800,
  // The sweep runs every 5 minutes by default: an hour means edits are being missed, not delayed.
  freshnessLagAlarmSeconds: 3600,
  // Notion allows about 3 requests/s per integration: keep concurrent syncs low.
  syncMemoryMb: 256,
  syncTimeoutSeconds: 60,
  syncBatchSize: 10,
  syncMaxConcurrency: 2,
  indexMemoryMb: 1024,
  indexTimeoutSeconds: 300,
  indexBatchSize: 5,
  indexMaxConcurrency: 5,
  // The webhook only writes a marker and sends a message: small, quick, and a few instances suffice.
  webhookMemoryMb: 256,
  webhookTimeoutSeconds: 10,
  webhookReservedConcurrency: 5,
  webhookDebounceSeconds: 30,
  webhookReplayWindowSeconds: 600,
  // A query embeds one text and reads Pinecone and the table: quick, and light on memory.
  queryMemoryMb: 512,
  queryTimeoutSeconds: 15,
  queryReservedConcurrency: 10,
  queryRequestsPerSecond: 10,
  queryBurst: 20,
} as const;

export class StackConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stack configuration (CDK context):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
// EventBridge Scheduler accepts rate(N unit), cron(6 fields) and at(yyyy-mm-ddThh:mm:ss).
const SCHEDULE =
  /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\)|at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\))$/;
// A Pinecone data-plane host, with or without the https:// scheme the console shows.
/** A Pinecone index host, with or without https:// (no path). Also the parameter's AllowedPattern. */
export const PINECONE_INDEX_HOST_PATTERN = /^(https:\/\/)?[A-Za-z0-9.-]+(:\d+)?\/?$/;
export const INDEX_HOST_EXPECTED = "the Pinecone index host, e.g. https://my-index-abc123.svc.pinecone.io";
// Secrets Manager names: letters, digits and /_+=.@- (up to 512).
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
// A name prefix ending in "/", so that it matches whole path segments only.
const SECRET_PREFIX = /^[A-Za-z0-9/_+=.@-]{1,400}\/$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
const REMOVAL_POLICIES = ["retain", "destroy"] as const;

const k = CONTEXT_KEYS;
const D = DEFAULTS;
const SCHEDULE_EXAMPLE = 'a schedule expression such as "rate(5 minutes)" or "cron(0/10 * * * ? *)"';
const SECRET_NAME_EXPECTED = "a Secrets Manager secret name";
const SECRET_PREFIX_EXPECTED = 'a Secrets Manager name prefix ending in "/"';

/** Every context key and what it may hold, in the order problems are reported. */
const contextSchema = z.object({
  [k.stackName]: z._default(shaped(STACK_NAME, "a CloudFormation stack name"), D.stackName),
  [k.removalPolicy]: z._default(oneOf(REMOVAL_POLICIES), D.removalPolicy),
  [k.maxReceiveCount]: z._default(integer(1, 1000), D.maxReceiveCount),
  [k.sweepSchedule]: z._default(shaped(SCHEDULE, SCHEDULE_EXAMPLE), D.sweepSchedule),
  [k.reconcileSchedule]: z._default(
    shaped(SCHEDULE, 'a schedule expression such as "cron(30 3 * * ? *)" (daily at 03:30 UTC)'),
    D.reconcileSchedule,
  ),
  [k.notionRequestsPerSecond]: z._default(decimal(0.1, 100), D.notionRequestsPerSecond),
  [k.notionBurst]: z._default(integer(1, 100), D.notionBurst),
  [k.pineconeIndexHost]: optionalShaped(PINECONE_INDEX_HOST_PATTERN, INDEX_HOST_EXPECTED),
  [k.pineconeApiKeySecretName]: z._default(
    shaped(SECRET_NAME, SECRET_NAME_EXPECTED),
    D.pineconeApiKeySecretName,
  ),
  [k.openaiApiKeySecretName]: z._default(shaped(SECRET_NAME, SECRET_NAME_EXPECTED), D.openaiApiKeySecretName),
  /** Default derived from the stack name. */
  [k.notionTokenSecretPrefix]: z.optional(shaped(SECRET_PREFIX, SECRET_PREFIX_EXPECTED)),
  [k.embeddingProvider]: z._default(oneOf(EMBEDDING_PROVIDERS), D.embeddingProvider),
  [k.embeddingModel]: optionalShaped(/^\S{1,200}$/, "an embedding model name"),
  [k.embeddingDimension]: z.optional(integer(1, 20_000)),
  [k.leaseSeconds]: z._default(integer(1, 86_400), D.leaseSeconds),
  [k.logLevel]: z._default(oneOf(LOG_LEVELS), D.logLevel),
  [k.oldestMessageAlarmSeconds]: z._default(integer(60, 1_209_600), D.oldestMessageAlarmSeconds),
  [k.freshnessLagAlarmSeconds]: z._default(integer(60, 1_209_600), D.freshnessLagAlarmSeconds),
  [k.alarmEmail]: optionalShaped(EMAIL, "an email address"),
  [k.syncMemoryMb]: z._default(integer(128, 10_240), D.syncMemoryMb),
  [k.syncTimeoutSeconds]: z._default(integer(1, 900), D.syncTimeoutSeconds),
  [k.syncBatchSize]: z._default(integer(1, 10), D.syncBatchSize),
  // The SQS event source's own bounds.
  [k.syncMaxConcurrency]: z._default(integer(2, 1000), D.syncMaxConcurrency),
  [k.indexMemoryMb]: z._default(integer(128, 10_240), D.indexMemoryMb),
  [k.indexTimeoutSeconds]: z._default(integer(1, 900), D.indexTimeoutSeconds),
  [k.indexBatchSize]: z._default(integer(1, 10), D.indexBatchSize),
  [k.indexMaxConcurrency]: z._default(integer(2, 1000), D.indexMaxConcurrency),
  [k.webhookMemoryMb]: z._default(integer(128, 10_240), D.webhookMemoryMb),
  // Notion expects an answer within seconds; the function answers in milliseconds.
  [k.webhookTimeoutSeconds]: z._default(integer(1, 30), D.webhookTimeoutSeconds),
  [k.webhookReservedConcurrency]: z._default(integer(1, 1000), D.webhookReservedConcurrency),
  // SQS delays a message by at most 900 s.
  [k.webhookDebounceSeconds]: z._default(integer(0, 900), D.webhookDebounceSeconds),
  [k.webhookReplayWindowSeconds]: z._default(integer(60, 86_400), D.webhookReplayWindowSeconds),
  /** Default derived from the stack name. */
  [k.webhookTokenSecretPrefix]: z.optional(shaped(SECRET_PREFIX, SECRET_PREFIX_EXPECTED)),
  [k.queryMemoryMb]: z._default(integer(128, 10_240), D.queryMemoryMb),
  // Function URLs wait at most 15 minutes, but a caller waiting for search gives up long before.
  [k.queryTimeoutSeconds]: z._default(integer(1, 60), D.queryTimeoutSeconds),
  [k.queryReservedConcurrency]: z._default(integer(1, 1000), D.queryReservedConcurrency),
  [k.queryRequestsPerSecond]: z._default(integer(1, 10_000), D.queryRequestsPerSecond),
  [k.queryBurst]: z._default(integer(1, 10_000), D.queryBurst),
  /** Default derived from the stack name. */
  [k.notionOAuthClientSecretName]: optionalShaped(SECRET_NAME, SECRET_NAME_EXPECTED),
  [k.oauthReturnUrl]: optionalShaped(/^https:\/\/[^\s?#]+$/, "an https URL without a query"),
});

/** Reads and validates the stack configuration from an App's context. */
export function readStackConfig(node: { tryGetContext(key: string): ContextValue }): StackConfig {
  return parseStackConfig((key) => node.tryGetContext(key));
}

/** Validates raw context values; throws one StackConfigError listing every problem. */
export function parseStackConfig(read: ContextReader): StackConfig {
  const raw: Record<string, unknown> = Object.fromEntries(Object.values(k).map((key) => [key, read(key)]));
  const parsed = contextSchema.safeParse(raw);
  if (!parsed.success) {
    // One problem per key, with the value as it was given.
    const problems = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0]);
      if (!problems.has(key)) problems.set(key, `${key}: ${issue.message}, got ${show(raw[key])}`);
    }
    throw new StackConfigError([...problems.values()]);
  }
  const c = parsed.data;
  const problems: string[] = [];
  const config: StackConfig = {
    stackName: c.stackName,
    removalPolicy: c.removalPolicy,
    maxReceiveCount: c.maxReceiveCount,
    sweepSchedule: c.sweepSchedule,
    reconcileSchedule: c.reconcileSchedule,
    notionRequestsPerSecond: c.notionRequestsPerSecond,
    notionBurst: c.notionBurst,
    pineconeIndexHost: c.pineconeIndexHost,
    pineconeApiKeySecretName: c.pineconeApiKeySecretName,
    openaiApiKeySecretName: c.openaiApiKeySecretName,
    notionTokenSecretPrefix: c.notionTokenSecretPrefix ?? `notion-index-sync/${c.stackName}/notion/`,
    embedding: embeddingSelection(c.embeddingProvider, c.embeddingModel, c.embeddingDimension, problems),
    leaseSeconds: c.leaseSeconds,
    logLevel: c.logLevel,
    oldestMessageAlarmSeconds: c.oldestMessageAlarmSeconds,
    freshnessLagAlarmSeconds: c.freshnessLagAlarmSeconds,
    alarmEmail: c.alarmEmail,
    sync: {
      memoryMb: c.syncMemoryMb,
      timeoutSeconds: c.syncTimeoutSeconds,
      batchSize: c.syncBatchSize,
      maxConcurrency: c.syncMaxConcurrency,
    },
    index: {
      memoryMb: c.indexMemoryMb,
      timeoutSeconds: c.indexTimeoutSeconds,
      batchSize: c.indexBatchSize,
      maxConcurrency: c.indexMaxConcurrency,
    },
    webhook: {
      memoryMb: c.webhookMemoryMb,
      timeoutSeconds: c.webhookTimeoutSeconds,
      reservedConcurrency: c.webhookReservedConcurrency,
      debounceSeconds: c.webhookDebounceSeconds,
      replayWindowSeconds: c.webhookReplayWindowSeconds,
      tokenSecretPrefix: c.webhookTokenSecretPrefix ?? `notion-index-sync/${c.stackName}/webhook/`,
    },
    query: {
      memoryMb: c.queryMemoryMb,
      timeoutSeconds: c.queryTimeoutSeconds,
      reservedConcurrency: c.queryReservedConcurrency,
      requestsPerSecond: c.queryRequestsPerSecond,
      burst: c.queryBurst,
    },
    oauth: {
      clientSecretName: c.notionOAuthClientSecretName ?? `notion-index-sync/${c.stackName}/oauth-client`,
      stateKeySecretName: `notion-index-sync/${c.stackName}/oauth-state-key`,
      returnUrl: c.oauthReturnUrl,
    },
  };

  // The webhook may create secrets under its prefix: it must not reach the Notion tokens.
  if (
    config.webhook.tokenSecretPrefix.startsWith(config.notionTokenSecretPrefix) ||
    config.notionTokenSecretPrefix.startsWith(config.webhook.tokenSecretPrefix)
  ) {
    problems.push(
      `${k.webhookTokenSecretPrefix}: must not overlap ${k.notionTokenSecretPrefix} (${config.notionTokenSecretPrefix}), got ${config.webhook.tokenSecretPrefix}`,
    );
  }

  // A lease shorter than one sync plus one index run would let a second run claim a live document.
  const runSeconds = config.sync.timeoutSeconds + config.index.timeoutSeconds;
  if (config.leaseSeconds <= runSeconds) {
    problems.push(
      `${k.leaseSeconds}: must exceed ${k.syncTimeoutSeconds} + ${k.indexTimeoutSeconds} ` +
        `(${config.sync.timeoutSeconds} + ${config.index.timeoutSeconds} = ${runSeconds}), got ${config.leaseSeconds}`,
    );
  }

  if (problems.length > 0) throw new StackConfigError(problems);
  return config;
}

/** The provider, model and dimension, checked against the models the embedders know. */
function embeddingSelection(
  provider: EmbeddingProvider,
  model: string | undefined,
  dimension: number | undefined,
  problems: string[],
): StackConfig["embedding"] {
  try {
    const selection = resolveSelection(provider, model, dimension);
    return { provider, model: selection.model, dimension: selection.dimension };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The message names the environment variables: here the same settings are context keys.
    problems.push(
      error.message
        .replace(/^EMBEDDING_MODEL /, `${k.embeddingModel}: `)
        .replace(/^EMBEDDING_DIMENSION /, `${k.embeddingDimension}: `),
    );
    return { provider, model: model ?? "", dimension: dimension ?? 0 };
  }
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
