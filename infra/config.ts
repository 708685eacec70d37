/**
 * Stack configuration, read from CDK context (cdk.json, cdk.context.json or `-c key=value`) and
 * validated up front: every problem is collected and reported in one error that names the
 * context keys, so a bad deploy fails at synth time instead of at the first message.
 */

import {
  EMBEDDING_PROVIDERS,
  type EmbeddingProvider,
  resolveSelection,
} from "../lib/shared/embedding-models.js";
import { ConfigError } from "../lib/shared/errors.js";

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
  /** Subscribed to the alarm topic when set. */
  alarmEmail: string | undefined;
  sync: FunctionSettings;
  index: FunctionSettings;
  webhook: WebhookSettings;
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

/** Reads and validates the stack configuration from an App's context. */
export function readStackConfig(node: { tryGetContext(key: string): ContextValue }): StackConfig {
  return parseStackConfig((key) => node.tryGetContext(key));
}

/** Validates raw context values; throws one StackConfigError listing every problem. */
export function parseStackConfig(read: ContextReader): StackConfig {
  const problems: string[] = [];
  const fields = new ContextFields(read, problems);
  const k = CONTEXT_KEYS;

  const stackName = fields.string(k.stackName, DEFAULTS.stackName, STACK_NAME, "a CloudFormation stack name");
  const config: StackConfig = {
    stackName,
    removalPolicy: fields.oneOf(k.removalPolicy, DEFAULTS.removalPolicy, REMOVAL_POLICIES),
    maxReceiveCount: fields.integer(k.maxReceiveCount, DEFAULTS.maxReceiveCount, 1, 1000),
    sweepSchedule: fields.string(
      k.sweepSchedule,
      DEFAULTS.sweepSchedule,
      SCHEDULE,
      'a schedule expression such as "rate(5 minutes)" or "cron(0/10 * * * ? *)"',
    ),
    reconcileSchedule: fields.string(
      k.reconcileSchedule,
      DEFAULTS.reconcileSchedule,
      SCHEDULE,
      'a schedule expression such as "cron(30 3 * * ? *)" (daily at 03:30 UTC)',
    ),
    notionRequestsPerSecond: fields.number(
      k.notionRequestsPerSecond,
      DEFAULTS.notionRequestsPerSecond,
      0.1,
      100,
    ),
    notionBurst: fields.integer(k.notionBurst, DEFAULTS.notionBurst, 1, 100),
    pineconeIndexHost: fields.optional(k.pineconeIndexHost, PINECONE_INDEX_HOST_PATTERN, INDEX_HOST_EXPECTED),
    pineconeApiKeySecretName: fields.string(
      k.pineconeApiKeySecretName,
      DEFAULTS.pineconeApiKeySecretName,
      SECRET_NAME,
      "a Secrets Manager secret name",
    ),
    openaiApiKeySecretName: fields.string(
      k.openaiApiKeySecretName,
      DEFAULTS.openaiApiKeySecretName,
      SECRET_NAME,
      "a Secrets Manager secret name",
    ),
    notionTokenSecretPrefix: fields.string(
      k.notionTokenSecretPrefix,
      `notion-index-sync/${stackName}/notion/`,
      SECRET_PREFIX,
      'a Secrets Manager name prefix ending in "/"',
    ),
    embedding: embeddingSelection(fields, problems),
    leaseSeconds: fields.integer(k.leaseSeconds, DEFAULTS.leaseSeconds, 1, 86_400),
    logLevel: fields.oneOf(k.logLevel, DEFAULTS.logLevel, LOG_LEVELS),
    oldestMessageAlarmSeconds: fields.integer(
      k.oldestMessageAlarmSeconds,
      DEFAULTS.oldestMessageAlarmSeconds,
      60,
      1_209_600,
    ),
    alarmEmail: fields.optional(k.alarmEmail, EMAIL, "an email address"),
    sync: {
      memoryMb: fields.integer(k.syncMemoryMb, DEFAULTS.syncMemoryMb, 128, 10_240),
      timeoutSeconds: fields.integer(k.syncTimeoutSeconds, DEFAULTS.syncTimeoutSeconds, 1, 900),
      batchSize: fields.integer(k.syncBatchSize, DEFAULTS.syncBatchSize, 1, 10),
      maxConcurrency: fields.integer(k.syncMaxConcurrency, DEFAULTS.syncMaxConcurrency, 2, 1000),
    },
    index: {
      memoryMb: fields.integer(k.indexMemoryMb, DEFAULTS.indexMemoryMb, 128, 10_240),
      timeoutSeconds: fields.integer(k.indexTimeoutSeconds, DEFAULTS.indexTimeoutSeconds, 1, 900),
      batchSize: fields.integer(k.indexBatchSize, DEFAULTS.indexBatchSize, 1, 10),
      maxConcurrency: fields.integer(k.indexMaxConcurrency, DEFAULTS.indexMaxConcurrency, 2, 1000),
    },
    webhook: {
      memoryMb: fields.integer(k.webhookMemoryMb, DEFAULTS.webhookMemoryMb, 128, 10_240),
      // Notion expects an answer within seconds; the function answers in milliseconds.
      timeoutSeconds: fields.integer(k.webhookTimeoutSeconds, DEFAULTS.webhookTimeoutSeconds, 1, 30),
      reservedConcurrency: fields.integer(
        k.webhookReservedConcurrency,
        DEFAULTS.webhookReservedConcurrency,
        1,
        1000,
      ),
      // SQS delays a message by at most 900 s.
      debounceSeconds: fields.integer(k.webhookDebounceSeconds, DEFAULTS.webhookDebounceSeconds, 0, 900),
      replayWindowSeconds: fields.integer(
        k.webhookReplayWindowSeconds,
        DEFAULTS.webhookReplayWindowSeconds,
        60,
        86_400,
      ),
      tokenSecretPrefix: fields.string(
        k.webhookTokenSecretPrefix,
        `notion-index-sync/${stackName}/webhook/`,
        SECRET_PREFIX,
        'a Secrets Manager name prefix ending in "/"',
      ),
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
function embeddingSelection(fields: ContextFields, problems: string[]): StackConfig["embedding"] {
  const k = CONTEXT_KEYS;
  const provider = fields.oneOf(k.embeddingProvider, DEFAULTS.embeddingProvider, EMBEDDING_PROVIDERS);
  const model = fields.optional(k.embeddingModel, /^\S{1,200}$/, "an embedding model name");
  const dimension = fields.optionalInteger(k.embeddingDimension, 1, 20_000);
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

/** Typed readers for context keys; each records a problem instead of throwing on the first one. */
class ContextFields {
  constructor(
    private readonly read: ContextReader,
    private readonly problems: string[],
  ) {}

  integer(key: string, fallback: number, min: number, max: number): number {
    const raw = this.read(key);
    if (raw === undefined) return fallback;
    // `-c key=5` arrives as the string "5".
    const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${key}: must be an integer from ${min} to ${max}, got ${show(raw)}`);
      return fallback;
    }
    return value;
  }

  number(key: string, fallback: number, min: number, max: number): number {
    const raw = this.read(key);
    if (raw === undefined) return fallback;
    const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${key}: must be a number from ${min} to ${max}, got ${show(raw)}`);
      return fallback;
    }
    return value;
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    if (this.read(key) === undefined) return undefined;
    const value = this.integer(key, Number.NaN, min, max);
    return Number.isNaN(value) ? undefined : value;
  }

  optional(key: string, shape: RegExp, expected: string): string | undefined {
    const raw = this.read(key);
    if (raw === undefined || raw === "") return undefined;
    if (typeof raw !== "string" || !shape.test(raw)) {
      this.problems.push(`${key}: must be ${expected}, got ${show(raw)}`);
      return undefined;
    }
    return raw;
  }

  string(key: string, fallback: string, shape: RegExp, expected: string): string {
    const raw = this.read(key);
    if (raw === undefined) return fallback;
    if (typeof raw !== "string" || !shape.test(raw)) {
      this.problems.push(`${key}: must be ${expected}, got ${show(raw)}`);
      return fallback;
    }
    return raw;
  }

  oneOf<const T extends readonly string[]>(key: string, fallback: T[number], allowed: T): T[number] {
    const raw = this.read(key);
    if (raw === undefined) return fallback;
    const value = typeof raw === "string" ? raw.trim() : raw;
    const match = allowed.find(
      (option) => typeof value === "string" && option.toLowerCase() === value.toLowerCase(),
    );
    if (match === undefined) {
      this.problems.push(`${key}: must be one of ${allowed.join(" | ")}, got ${show(raw)}`);
      return fallback;
    }
    return match;
  }
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
