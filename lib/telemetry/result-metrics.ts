/**
 * What each run's result says, as metrics (lib/shared/metrics.ts): the record handlers call these
 * with the results the use cases return, so the use cases themselves stay free of metrics.
 */
import type { MetricsSink } from "../core/ports.js";
import type { IndexResult } from "../indexing/index-document.js";
import type { SweepResult } from "../sync/sweep.js";
import type { SyncResult } from "../sync/sync-document.js";

export function recordSyncResult(metrics: MetricsSink, result: SyncResult): void {
  metrics.record("documentsSynced", 1, { outcome: result.outcome });
  // Newly in error only: a revoked token's documents fail every sync until it is reconnected.
  if (result.outcome === "error" && !result.alreadyInError) {
    metrics.record("documentErrors", 1, { reason: result.errorClass ?? "permanent" });
  }
}

export function recordIndexResult(metrics: MetricsSink, result: IndexResult, durationMs: number): void {
  metrics.record("documentsIndexed", 1, { outcome: result.outcome });
  metrics.record("indexRunDuration", durationMs);
  if (result.outcome === "continued") metrics.record("indexContinuations", 1);
  // A stop at a tenant's quota is the quota working, not a fault: its own metric, and no alarm.
  if (result.errorClass === "quota-exceeded")
    metrics.record("quotaExceeded", 1, { reason: "embedding-tokens" });
  else if (result.outcome === "error")
    metrics.record("documentErrors", 1, { reason: result.errorClass ?? "permanent" });
  const { counts } = result;
  const provider = { provider: counts.embeddingProvider ?? "none" };
  if (counts.embedded > 0) metrics.record("chunksEmbedded", counts.embedded, provider);
  if (counts.cached > 0) metrics.record("chunksFromCache", counts.cached, provider);
  if (counts.tokens > 0) metrics.record("embeddingTokens", counts.tokens, provider);
  const pinecone = (counts.pineconeReadRequests ?? 0) + (counts.pineconeWriteRequests ?? 0);
  if (pinecone > 0) metrics.record("pineconeRequests", pinecone);
  if (result.freshness) {
    const lagMs = Date.parse(result.freshness.servedAt) - Date.parse(result.freshness.changedAt);
    // Notion's edit times are to the minute: a lag below zero is a clock's rounding, not time travel.
    if (Number.isFinite(lagMs)) metrics.record("freshnessLag", Math.max(0, lagMs) / 1000);
  }
}

export function recordSweepResult(metrics: MetricsSink, result: SweepResult): void {
  const overQuota = result.followed?.overQuota ?? 0;
  if (overQuota > 0) metrics.record("quotaExceeded", overQuota, { reason: "documents" });
}
