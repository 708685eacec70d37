import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";

export async function segmentsCommand(
  connection: Connection,
  documentId: string,
  options: { json?: boolean },
) {
  const { store } = connection.adapters;
  const document = await store.getDocument(documentId);
  if (!document) throw new PermanentError(`no document ${documentId}`);
  const all = await store.listSegments(documentId);
  // Between a claim and its completion the current generation may have no segments yet.
  const current = all.filter((segment) => segment.generation === document.generation);
  const segments = (current.length > 0 ? current : all).sort((a, b) => a.position - b.position);
  if (options.json) {
    printJson({
      segments: segments.map((segment) => ({
        position: segment.position,
        content: segment.content,
        indexNodeId: segment.indexNodeId,
        generation: segment.generation,
        tokens: segment.tokens,
        wordCount: segment.wordCount,
        source: segment.source,
        headingPath: segment.headingPath,
        ...(segment.parentIndex === undefined
          ? {}
          : { parentIndex: segment.parentIndex, parentContent: segment.parentContent ?? null }),
      })),
    });
    return;
  }
  for (const segment of segments) {
    const parent = segment.parentIndex === undefined ? "" : `  parent ${segment.parentIndex}`;
    printLine(
      `#${segment.position}  ${segment.indexNodeId}  ${segment.tokens} tokens${parent}  ${segment.source}`,
    );
    printLine(segment.content);
    printLine();
  }
}
