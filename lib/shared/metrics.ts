/**
 * The custom metrics the functions emit (as CloudWatch embedded metric format, through Powertools
 * Metrics) and the stack's dashboard and alarms read (infra/dashboard.ts, infra/alarms.ts): one
 * definition for both sides, so a renamed metric cannot leave a widget or an alarm silently empty.
 *
 * Dimensions stay few and low-cardinality: every metric has `function`; some add one of `outcome`,
 * `provider` or `reason`, each from a short fixed list. Which binding a Notion figure belongs to is a
 * property of the log record (`binding`), not a dimension: the dashboard groups by it with Logs
 * Insights, so a thousand bindings cost no extra metrics.
 */

/** The namespace is per stack, so two stacks in one account never add up each other's figures. */
export function metricsNamespace(stackName: string): string {
  return `NotionIndexSync/${stackName}`;
}

export type MetricUnit = "Count" | "Milliseconds" | "Seconds";

export const METRICS = {
  /** Sync checks of one document, by `outcome` (unchanged, queued, archived, error, …). */
  documentsSynced: { name: "DocumentsSynced", unit: "Count" },
  /** Index runs that ended, by `outcome` (completed, continued, error, …). */
  documentsIndexed: { name: "DocumentsIndexed", unit: "Count" },
  /** Documents that a run put in status `error`, by `reason` (an ErrorClass). */
  documentErrors: { name: "DocumentErrors", unit: "Count" },
  /** Chunks sent to the embedding model, by `provider`. */
  chunksEmbedded: { name: "ChunksEmbedded", unit: "Count" },
  /** Chunks whose vector came from the embedding cache, by `provider`. */
  chunksFromCache: { name: "ChunksFromCache", unit: "Count" },
  /** Tokens sent to the embedding model, by `provider`. */
  embeddingTokens: { name: "EmbeddingTokens", unit: "Count" },
  /** Requests answered by Notion (every attempt), whatever the status. */
  notionRequests: { name: "NotionRequests", unit: "Count" },
  /** Notion's own 429 answers (the shared budget should keep these near zero). */
  notionThrottled: { name: "NotionThrottled", unit: "Count" },
  /** Time spent waiting for a slot of a binding's shared rate budget (summed per invocation). */
  notionBudgetWait: { name: "NotionBudgetWait", unit: "Milliseconds", summed: true },
  /** Notion answered 401: the binding's token is revoked or wrong. */
  notionTokenRefused: { name: "NotionTokenRefused", unit: "Count" },
  /** Pinecone requests (reads and writes) of index runs and syncs. */
  pineconeRequests: { name: "PineconeRequests", unit: "Count" },
  /** Wall time of one index invocation's work on a document. */
  indexRunDuration: { name: "IndexRunDuration", unit: "Milliseconds" },
  /** Index runs that saved a checkpoint and went on in another invocation. */
  indexContinuations: { name: "IndexContinuations", unit: "Count" },
  /** Work stopped at a tenant's quota, by `reason` (`documents`: not registered; `embedding-tokens`: runs). */
  quotaExceeded: { name: "QuotaExceeded", unit: "Count" },
  /** Notion's `last_edited_time` of the indexed version to the moment its vectors were served. */
  freshnessLag: { name: "FreshnessLag", unit: "Seconds" },
} as const satisfies Record<string, { name: string; unit: MetricUnit; summed?: boolean }>;

/**
 * Whether a metric's values are added up within an invocation (one value per record) or each kept
 * (so CloudWatch can compute percentiles): counts and waits are summed, durations and lags kept.
 */
export function isSummed(key: MetricKey): boolean {
  const metric: { unit: MetricUnit; summed?: boolean } = METRICS[key];
  return metric.unit === "Count" || metric.summed === true;
}

export type MetricKey = keyof typeof METRICS;

/** The dimension every metric carries (set per function, so `function` is never a free value). */
export const FUNCTION_DIMENSION = "function";
export type FunctionLabel = "sync" | "index" | "webhook";

/** Optional dimensions: a metric record carries at most one of them. */
export type MetricLabels =
  | { outcome: string; provider?: never; reason?: never }
  | { provider: string; outcome?: never; reason?: never }
  | { reason: string; outcome?: never; provider?: never }
  | Record<string, never>;

/** The log-record property (not a dimension) naming the binding of a Notion figure. */
export const BINDING_PROPERTY = "binding";
