import { WORKING_STATUSES } from "../../core/model.js";
import { pauseDocument, resumeDocument } from "../../documents/pause.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";

export async function pauseCommand(connection: Connection, documentId: string, options: { json?: boolean }) {
  const document = await pauseDocument(connection.adapters.store, documentId);
  if (options.json) printJson({ documentId, isPaused: true, indexingStatus: document.indexingStatus });
  else if (WORKING_STATUSES.includes(document.indexingStatus))
    printLine(`pausing ${documentId}: its run (${document.indexingStatus}) stops at its next stage`);
  else printLine(`paused ${documentId}: nothing was running; syncs skip it until \`resume ${documentId}\``);
}

export async function resumeCommand(connection: Connection, documentId: string, options: { json?: boolean }) {
  const document = await resumeDocument(connection.adapters, documentId);
  if (options.json) printJson({ documentId, isPaused: false, indexingStatus: document.indexingStatus });
  else printLine(`resumed ${documentId}`);
}
