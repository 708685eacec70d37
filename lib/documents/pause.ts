/**
 * Pause and resume, as in the system this replaces: a paused document stops at the next stage
 * boundary with status `paused`; resuming finishes the same generation.
 */

import type { Document } from "../core/model.js";
import type { DocumentStore, MessagePublisher } from "../core/ports.js";
import { PermanentError } from "../shared/errors.js";

export async function pauseDocument(store: DocumentStore, documentId: string): Promise<Document> {
  const document = await store.setPaused(documentId, true);
  if (!document) throw new PermanentError(`no document ${documentId}`);
  return document;
}

export async function resumeDocument(
  ports: { store: DocumentStore; indexQueue: MessagePublisher; syncQueue: MessagePublisher },
  documentId: string,
): Promise<Document> {
  const document = await ports.store.setPaused(documentId, false);
  if (!document) throw new PermanentError(`no document ${documentId}`);
  const { tenantId, datasetId, generation } = document;
  if (document.indexingStatus === "paused" && generation > 0) {
    await ports.indexQueue.send({ tenantId, datasetId, documentId, generation });
  } else {
    // A document paused before its run began (or between runs) simply gets a sync.
    await ports.syncQueue.send({ tenantId, datasetId, documentId });
  }
  return document;
}
