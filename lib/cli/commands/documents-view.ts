/** The document fields `status --json` promises (docs/cli.md), with null for what is not known yet. */

import { type Document, type RunCounts, WORKING_STATUSES } from "../../core/model.js";
import { estimateRunCost } from "../../cost/estimate.js";

export function documentView(document: Document) {
  return {
    documentId: document.documentId,
    datasetId: document.datasetId,
    tenantId: document.tenantId,
    title: document.title,
    pageId: document.dataSourceInfo.pageId,
    indexingStatus: document.indexingStatus,
    isPaused: document.isPaused,
    generation: document.generation,
    segmentCount: document.segmentCount,
    tokens: document.tokens,
    wordCount: document.wordCount,
    error: document.error ?? null,
    lastEditedTime: document.dataSourceInfo.lastEditedTime ?? null,
    processingStartedAt: document.processingStartedAt ?? null,
    completedAt: document.completedAt ?? null,
    indexingLatencyMs: document.indexingLatencyMs ?? null,
    lastRun: document.lastRun ? runView(document.lastRun) : null,
  };
}

/**
 * A run's counts and its estimated cost (lib/shared/prices.ts). Request counts a run recorded before
 * they were kept are null, and its estimate counts them as 0.
 */
export function runView(run: RunCounts) {
  const cost = estimateRunCost(run);
  const pinecone =
    run.pineconeReadRequests === undefined && run.pineconeWriteRequests === undefined
      ? null
      : (run.pineconeReadRequests ?? 0) + (run.pineconeWriteRequests ?? 0);
  return {
    embedded: run.embedded,
    cached: run.cached,
    tokens: run.tokens,
    segmentsWritten: run.segmentsWritten,
    segmentsDeleted: run.segmentsDeleted,
    vectorsDeleted: run.vectorsDeleted,
    embeddingProvider: run.embeddingProvider ?? null,
    embeddingModel: run.embeddingModel ?? null,
    notionRequests: run.notionRequests ?? null,
    pineconeRequests: pinecone,
    pineconeReadRequests: run.pineconeReadRequests ?? null,
    pineconeWriteRequests: run.pineconeWriteRequests ?? null,
    embeddingRequests: run.embeddingRequests ?? null,
    cacheRequests: run.cacheRequests ?? null,
    estimatedCostUsd: cost.totalUsd,
    costPriced: cost.priced,
    /** Blocks left out of the index, by type (unsupported, an original the integration cannot see). */
    gaps: run.gaps ?? {},
  };
}

export type RunView = ReturnType<typeof runView>;

/** The sum of the documents' last runs: what `status` shows as the total. */
export function totalsView(documents: Document[]) {
  const runs = documents.flatMap((document) => (document.lastRun ? [runView(document.lastRun)] : []));
  const sum = (pick: (run: RunView) => number | null) =>
    runs.reduce((total, run) => total + (pick(run) ?? 0), 0);
  return {
    documents: documents.length,
    documentsWithRuns: runs.length,
    segmentCount: documents.reduce((total, document) => total + document.segmentCount, 0),
    embedded: sum((run) => run.embedded),
    cached: sum((run) => run.cached),
    // What the table's columns show, so that the totals add up with the rows.
    tokens: documents.reduce((total, document) => total + document.tokens, 0),
    lastRunTokens: sum((run) => run.tokens),
    notionRequests: sum((run) => run.notionRequests),
    pineconeRequests: sum((run) => run.pineconeRequests),
    embeddingRequests: sum((run) => run.embeddingRequests),
    cacheRequests: sum((run) => run.cacheRequests),
    estimatedCostUsd: sum((run) => run.estimatedCostUsd),
    costPriced: runs.every((run) => run.costPriced),
  };
}

/** The status a person reads: a pause shows as "paused" once nothing runs, "… (pausing)" until then. */
export function statusLabel(document: Document): string {
  if (!document.isPaused) return document.indexingStatus;
  return WORKING_STATUSES.includes(document.indexingStatus)
    ? `${document.indexingStatus} (pausing)`
    : "paused";
}

/** Statuses a run ends in: nothing more will happen until the next sync. */
export function isSettled(document: Document): boolean {
  return ["completed", "error", "paused", "archived"].includes(document.indexingStatus) && !document.lease;
}
