/**
 * Removes a document's segments (DynamoDB) and vectors (Pinecone) of every generation but one.
 * Vectors are found both through the segments and by listing the document's id prefix, so vectors
 * whose segments were never written (a run that died mid-upsert) are found too.
 */
import { documentVectorPrefix, generationOfVectorId } from "../model.js";
import type { DocumentStore, VectorIndex } from "../ports.js";

export interface RemovalCounts {
  segmentsDeleted: number;
  vectorsDeleted: number;
}

export async function removeGenerations(
  ports: { store: DocumentStore; vectors: VectorIndex },
  target: { documentId: string; namespace: string; keepGeneration?: number },
): Promise<RemovalCounts> {
  const { documentId, namespace, keepGeneration } = target;
  const isStale = (generation: number | undefined) => generation !== keepGeneration;

  const staleSegments = (await ports.store.listSegments(documentId)).filter((s) => isStale(s.generation));
  const listed = await ports.vectors.listIds(namespace, documentVectorPrefix(documentId));
  const staleIds = new Set(listed.filter((id) => isStale(generationOfVectorId(id))));
  for (const segment of staleSegments) staleIds.add(segment.indexNodeId);

  // Vectors first: they are what a search can still find. An empty list sends nothing (rule 6).
  const vectorsDeleted = await ports.vectors.deleteIds(namespace, [...staleIds]);
  const segmentsDeleted = await ports.store.deleteSegments(
    documentId,
    staleSegments.map(({ generation, position }) => ({ generation, position })),
  );
  return { segmentsDeleted, vectorsDeleted };
}
