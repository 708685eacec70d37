import type { QueueDepth } from "../../adapters/aws/queue-depth.js";
import type { Document } from "../../core/model.js";
import type { DocumentStore } from "../../core/ports.js";
import { PermanentError } from "../../shared/errors.js";
import { isSettled } from "./documents-view.js";

/** Polls until every document has been claimed at least once and is in a settled status; returns them. */
export async function waitUntilSettled(
  store: DocumentStore,
  documentIds: string[],
  timeoutSeconds = 120,
  onProgress: (settled: number, total: number) => void = () => {},
): Promise<Document[]> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const documents = await Promise.all(documentIds.map((id) => store.getDocument(id)));
    // Claimed at least once, or stopped before any claim (a sync that could not read Notion, e.g. a
    // refused token, records its error on a document still at generation 0).
    const done = (document: (typeof documents)[number]) =>
      document !== undefined &&
      (document.generation > 0 || document.indexingStatus === "error") &&
      isSettled(document);
    const settled = documents.filter(done).length;
    onProgress(settled, documents.length);
    if (settled === documents.length) return documents as Document[];
    if (Date.now() > deadline) {
      throw new PermanentError(`documents did not settle within ${timeoutSeconds} s (is the stack running?)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Polls until the sync queue, then the index queue, hold no message (waiting, in flight or
 * delayed). In that order, one empty round is enough: a sync's message is deleted only after the
 * index message it publishes has been sent. Other traffic (a sweep, a webhook) can make it wait longer.
 */
export async function waitForQueuesToDrain(
  depth: QueueDepth,
  queueUrls: string[],
  timeoutSeconds = 120,
  onProgress: (messages: number) => void = () => {},
): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    let messages = 0;
    for (const queueUrl of queueUrls) messages += await depth(queueUrl);
    onProgress(messages);
    if (messages === 0) return;
    if (Date.now() > deadline) {
      throw new PermanentError(
        `the queues still held ${messages} message(s) after ${timeoutSeconds} s (is the stack running?)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
