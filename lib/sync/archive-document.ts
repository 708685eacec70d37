/**
 * Deleted content must not stay retrievable (rule 7): a page that is archived, in trash or gone
 * has all its vectors and segments removed, and the document is marked `archived` with the reason.
 */

import type { Document } from "../core/model.js";
import type { Clock, DocumentStore, VectorIndex } from "../core/ports.js";
import { type RemovalCounts, removeGenerations } from "../indexing/remove-generations.js";

/** The caller holds the document's claim at `document.generation`. */
export async function archiveClaimedDocument(
  ports: { store: DocumentStore; vectors: VectorIndex; clock: Clock },
  document: Document,
  namespace: string,
  reason: string,
): Promise<RemovalCounts> {
  // Everything up to the claimed generation; a newer one belongs to the run that claimed it.
  const counts = await removeGenerations(ports, {
    documentId: document.documentId,
    namespace,
    keepGeneration: document.generation,
    keepPositions: 0,
  });
  await ports.store.updateDocument(
    document.documentId,
    document.generation,
    {
      indexingStatus: "archived",
      archived: true,
      error: reason,
      stoppedAt: ports.clock.now().toISOString(),
      segmentCount: 0,
      tokens: 0,
      wordCount: 0,
      dataSourceInfo: { ...document.dataSourceInfo, lastEditedTime: undefined, contentHash: undefined },
    },
    { releaseLease: true },
  );
  return counts;
}
