/**
 * Which vectors a query may return: only those of each document's serving generation, and none of
 * a document that is gone, archived or disabled. A reindex writes the new generation beside the old
 * one and switches `servingGeneration` once it is all written (lib/indexing/index-document.ts), so a
 * reader that keeps to it never sees two generations of a document, nor a half-written one.
 */
import { type Document, generationOfVectorId } from "../core/model.js";
import type { VectorMatch } from "../core/ports.js";

/**
 * The generation to serve. Documents indexed before `servingGeneration` existed: a completed one
 * serves its generation; one being reindexed serves the newest older generation among the matches
 * (its old content), never the one being written.
 */
export function servedGeneration(document: Document, generationsFound: number[]): number | undefined {
  if (document.servingGeneration !== undefined) return document.servingGeneration;
  if (document.indexingStatus === "completed") return document.generation;
  const older = generationsFound.filter((generation) => generation < document.generation);
  return older.length === 0 ? undefined : Math.max(...older);
}

export function isServable(document: Document | undefined, tenantId: string, datasetId: string): boolean {
  return (
    document !== undefined &&
    document.tenantId === tenantId &&
    document.datasetId === datasetId &&
    document.enabled &&
    !document.archived &&
    document.indexingStatus !== "archived"
  );
}

/** The matches to keep, in their order: servable documents, each at its served generation. */
export function keepServed(
  matches: VectorMatch[],
  documents: ReadonlyMap<string, Document>,
  scope: { tenantId: string; datasetId: string },
): VectorMatch[] {
  const generationsByDocument = new Map<string, number[]>();
  for (const match of matches) {
    const documentId = match.metadata?.documentId;
    const generation = generationOfVectorId(match.id);
    if (documentId === undefined || generation === undefined) continue;
    const found = generationsByDocument.get(documentId) ?? [];
    found.push(generation);
    generationsByDocument.set(documentId, found);
  }
  const served = new Map<string, number | undefined>();
  for (const [documentId, generations] of generationsByDocument) {
    const document = documents.get(documentId);
    served.set(
      documentId,
      document && isServable(document, scope.tenantId, scope.datasetId)
        ? servedGeneration(document, generations)
        : undefined,
    );
  }
  return matches.filter((match) => {
    const documentId = match.metadata?.documentId;
    if (documentId === undefined) return false;
    const generation = served.get(documentId);
    return generation !== undefined && generationOfVectorId(match.id) === generation;
  });
}
