/**
 * Pause and resume, as in the system this replaces: a paused document stops at the next stage
 * boundary with status `paused`; resuming finishes the same generation. A whole dataset can be
 * paused too (a backfill that should wait).
 */

import { requireDataset } from "../core/datasets.js";
import type { Dataset, Document } from "../core/model.js";
import type { DocumentStore, MessagePublisher } from "../core/ports.js";
import { follows } from "../scopes/scope-settings.js";
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

/**
 * A paused dataset takes no new work: its syncs stop before claiming (status unchanged), and
 * discovery registers nothing for it. An index run already under way finishes.
 */
export async function pauseDataset(
  store: DocumentStore,
  tenantId: string,
  datasetId: string,
): Promise<Dataset> {
  const dataset = await requireDataset(store, tenantId, datasetId);
  const paused = { ...dataset, paused: true };
  await store.saveDataset(paused);
  return paused;
}

/** Resuming queues what the pause left: every document not indexed yet, and the scope's discovery. */
export async function resumeDataset(
  ports: { store: DocumentStore; syncQueue: MessagePublisher },
  tenantId: string,
  datasetId: string,
): Promise<{ dataset: Dataset; queued: number }> {
  const dataset = await requireDataset(ports.store, tenantId, datasetId);
  const { paused: _paused, ...resumed } = dataset;
  await ports.store.saveDataset(resumed);
  let queued = 0;
  for (const document of await ports.store.listDocuments({ tenantId, datasetId })) {
    if (document.indexingStatus === "completed" || document.archived) continue;
    await ports.syncQueue.send({ tenantId, datasetId, documentId: document.documentId });
    queued += 1;
  }
  if (follows(resumed.scope)) {
    await ports.syncQueue.send({
      type: "sweep",
      tenantId,
      workspaceId: resumed.scope.workspaceId,
      datasetId,
    });
  }
  return { dataset: resumed, queued };
}
