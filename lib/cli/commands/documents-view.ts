/** The document fields `status --json` promises (design §6), with null for what is not known yet. */
import type { Document } from "../../model.js";

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
    lastRun: document.lastRun
      ? {
          embedded: document.lastRun.embedded,
          cached: document.lastRun.cached,
          tokens: document.lastRun.tokens,
          segmentsWritten: document.lastRun.segmentsWritten,
          segmentsDeleted: document.lastRun.segmentsDeleted,
          vectorsDeleted: document.lastRun.vectorsDeleted,
        }
      : null,
  };
}

/** Statuses a run ends in: nothing more will happen until the next sync. */
export function isSettled(document: Document): boolean {
  return ["completed", "error", "paused", "archived"].includes(document.indexingStatus) && !document.lease;
}
