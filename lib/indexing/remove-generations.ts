/**
 * Removes a document's segments (DynamoDB) and vectors (Pinecone) that the caller's run does not
 * keep. Vectors are found both through the segments and by listing the document's id prefix, so
 * vectors whose segments were never written (a run that died mid-upsert) are found too.
 *
 * What goes, for a run holding generation G that keeps `keepPositions` positions of it:
 * - every older generation;
 * - positions of G from `keepPositions` on: an earlier attempt at G that died after reading longer
 *   content wrote them, and a retry of G writes (and so overwrites) only the positions it has;
 * - never a newer generation: it belongs to a newer run, which cleans up after itself. A run that
 *   outlived its lease must not delete what the run that took the document over wrote.
 * With no `keepGeneration`, everything goes.
 */
import { documentVectorPrefix, generationOfVectorId } from "../core/model.js";
import type { DocumentStore, RequestMeter, VectorIndex } from "../core/ports.js";

export interface RemovalCounts {
  segmentsDeleted: number;
  vectorsDeleted: number;
}

export interface RemovalTarget {
  documentId: string;
  namespace: string;
  /** The generation the caller holds. */
  keepGeneration?: number;
  /** How many positions of `keepGeneration` stay (0: none, as when archiving); default all of them. */
  keepPositions?: number;
  /** Where the vector index counts the requests this removal sends. */
  meter?: RequestMeter;
}

export async function removeGenerations(
  ports: { store: DocumentStore; vectors: VectorIndex },
  target: RemovalTarget,
): Promise<RemovalCounts> {
  const { documentId, namespace, keepGeneration, keepPositions } = target;
  const isStale = (generation: number | undefined, position: number | undefined) => {
    if (keepGeneration === undefined || generation === undefined) return true;
    if (generation !== keepGeneration) return generation < keepGeneration;
    return keepPositions !== undefined && (position === undefined || position >= keepPositions);
  };

  const staleSegments = (await ports.store.listSegments(documentId)).filter((segment) =>
    isStale(segment.generation, segment.position),
  );
  const listed = await ports.vectors.listIds(namespace, documentVectorPrefix(documentId), target.meter);
  const staleIds = new Set(listed.filter((id) => isStale(generationOfVectorId(id), positionOfVectorId(id))));
  for (const segment of staleSegments) staleIds.add(segment.indexNodeId);

  // Vectors first: they are what a search can still find. An empty list sends nothing (rule 6).
  const vectorsDeleted = await ports.vectors.deleteIds(namespace, [...staleIds], target.meter);
  const segmentsDeleted = await ports.store.deleteSegments(
    documentId,
    staleSegments.map(({ generation, position }) => ({ generation, position })),
  );
  return { segmentsDeleted, vectorsDeleted };
}

/** The position in a vector id `{documentId}#{generation}#{position}`. */
function positionOfVectorId(id: string): number | undefined {
  const position = Number(id.split("#")[2]);
  return Number.isInteger(position) ? position : undefined;
}
