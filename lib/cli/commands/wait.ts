import { PermanentError } from "../../errors.js";
import type { Document } from "../../model.js";
import type { DocumentStore } from "../../ports.js";
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
