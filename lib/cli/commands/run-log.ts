/**
 * `dev`'s log of what flows through the pipeline: one line per document run, from each batch the
 * local stack's pollers handled (the document as the run left it), and a line for failed records.
 */
import type { BatchSummary } from "../../../local/sqs-poller.js";
import type { Document } from "../../core/model.js";
import { WORKING_STATUSES } from "../../core/model.js";
import type { DocumentStore } from "../../core/ports.js";
import { printLine } from "../output.js";
import { plural } from "../table.js";

export function createRunLog(store: () => DocumentStore | undefined) {
  let enabled = false;
  return {
    /** Runs are logged from now on (dev enables it after the demo's own summary). */
    enable() {
      enabled = true;
    },
    onBatch(queue: "sync" | "index", summary: BatchSummary): void {
      const documents = store();
      if (!enabled || documents === undefined) return;
      void logBatch(documents, queue, summary).catch(() => undefined);
    },
  };
}

async function logBatch(store: DocumentStore, queue: "sync" | "index", summary: BatchSummary) {
  const time = new Date().toISOString().slice(11, 19);
  for (const body of summary.bodies) {
    const message = parse(body);
    if (message?.type === "sweep") {
      printLine(`${time}  ${queue}   sweep: unit syncs queued for every document in scope`);
      continue;
    }
    const document = message?.documentId ? await store.getDocument(message.documentId) : undefined;
    if (!document) continue;
    printLine(
      `${time}  ${queue.padEnd(5)}  ${document.title || document.documentId}  ${outcome(queue, document, summary.ms)}`,
    );
  }
  if (summary.failed > 0) {
    printLine(
      `${time}  ${queue.padEnd(5)}  ${summary.failed} of ${plural(summary.records, "record")} failed: the queue retries them`,
    );
  }
}

function outcome(queue: "sync" | "index", document: Document, ms: number): string {
  const { indexingStatus: status, generation } = document;
  if (status === "error") return `error: ${document.error ?? "unknown"}`;
  if (status === "archived") return "archived: removed from the index";
  if (document.isPaused) return "paused";
  if (queue === "sync") {
    return WORKING_STATUSES.includes(status)
      ? `changed: generation ${generation} queued for indexing`
      : "unchanged";
  }
  return `${status}, generation ${generation}, ${plural(document.segmentCount, "chunk")}, ${ms} ms`;
}

function parse(body: string): { type?: string; documentId?: string } | undefined {
  try {
    return JSON.parse(body) as { type?: string; documentId?: string };
  } catch {
    return undefined;
  }
}
