/**
 * Unregisters a document: its vectors, its segments, then the document itself. The document is
 * claimed first (a new generation), so an index message still in flight is stale and dropped
 * (rule 3) instead of writing vectors after they were removed. A document being indexed right now
 * is refused: its run holds the lease.
 */
import { datasetOf } from "../core/datasets.js";
import { newLease } from "../core/lease.js";
import type { CheckpointStore, Clock, DocumentStore, VectorIndex } from "../core/ports.js";
import { type RemovalCounts, removeGenerations } from "../indexing/remove-generations.js";
import { ConflictError, PermanentError } from "../shared/errors.js";

/** Long enough for the removal itself; if we die, the next remove (or sync) takes over. */
const REMOVAL_LEASE_SECONDS = 300;

export async function removeDocument(
  ports: { store: DocumentStore; vectors: VectorIndex; clock: Clock; checkpoints?: CheckpointStore },
  documentId: string,
): Promise<RemovalCounts> {
  const document = await ports.store.getDocument(documentId);
  if (!document) throw new PermanentError(`no document ${documentId}`);
  const now = ports.clock.now();
  let claimed: typeof document;
  try {
    claimed = await ports.store.claimDocument({
      documentId,
      expectedGeneration: document.generation,
      lease: newLease(now, REMOVAL_LEASE_SECONDS),
      now: now.toISOString(),
      status: document.indexingStatus,
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    throw new PermanentError(
      `document ${documentId} is being indexed right now: wait until it settles (or pause it), then remove it`,
    );
  }
  const dataset = await datasetOf(ports.store, claimed);
  const counts = await removeGenerations(ports, { documentId, namespace: dataset.vectorNamespace });
  await ports.checkpoints?.delete(documentId);
  await ports.store.deleteDocument(documentId, claimed.generation);
  return counts;
}
