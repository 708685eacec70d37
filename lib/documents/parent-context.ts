/**
 * The hierarchical doc form's context: for vectors a query found (children), their parents' text. A
 * child's segment names its parent; the parent's text is stored with the parent's first child.
 */
import { generationOfVectorId, type Segment } from "../core/model.js";
import type { DocumentStore, VectorMatch } from "../core/ports.js";

/** Parent text by vector id, for the matches that have one. */
export async function parentContexts(
  store: Pick<DocumentStore, "listSegments">,
  matches: VectorMatch[],
): Promise<Map<string, string>> {
  const contexts = new Map<string, string>();
  const segmentsByGeneration = new Map<string, Promise<Segment[]>>();
  for (const match of matches) {
    const documentId = match.metadata?.documentId;
    const generation = generationOfVectorId(match.id);
    if (documentId === undefined || generation === undefined) continue;
    const key = `${documentId}#${generation}`;
    if (!segmentsByGeneration.has(key))
      segmentsByGeneration.set(key, store.listSegments(documentId, { generation }));
    const segments = await (segmentsByGeneration.get(key) as Promise<Segment[]>);
    const child = segments.find((segment) => segment.indexNodeId === match.id);
    if (child?.parentIndex === undefined) continue;
    const holder = segments.find(
      (segment) => segment.parentIndex === child.parentIndex && segment.parentContent !== undefined,
    );
    if (holder?.parentContent !== undefined) contexts.set(match.id, holder.parentContent);
  }
  return contexts;
}
