import { removeDocument } from "../../documents/remove.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";

/** `remove <documentId>`: unregisters a document and deletes its segments and vectors. */
export async function removeCommand(connection: Connection, documentId: string, options: { json?: boolean }) {
  const counts = await removeDocument(
    { ...connection.adapters, clock: { now: () => new Date() } },
    documentId,
  );
  if (options.json) {
    printJson({ documentId, removed: true, ...counts });
    return;
  }
  printLine(
    `removed document ${documentId}: ${counts.vectorsDeleted} vector(s) and ${counts.segmentsDeleted} segment(s) deleted`,
  );
}
