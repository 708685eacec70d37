import { PermanentError } from "../../errors.js";
import type { Document } from "../../model.js";
import type { Connection } from "../connect.js";
import { printJson, printLine, printTable, truncate } from "../output.js";
import { documentView } from "./documents-view.js";

export interface StatusOptions {
  dataset?: string;
  document?: string;
  json?: boolean;
}

export async function statusCommand(connection: Connection, options: StatusOptions): Promise<void> {
  const { store } = connection.adapters;
  let documents: Document[];
  if (options.document) {
    const document = await store.getDocument(options.document);
    if (!document) throw new PermanentError(`no document ${options.document}`);
    documents = [document];
  } else {
    documents = await store.listDocuments({ datasetId: options.dataset });
  }
  if (options.json) {
    printJson({ documents: documents.map(documentView) });
    return;
  }
  if (documents.length === 0) {
    printLine("no documents yet: add a Notion page with `notion-index-sync add <page id or URL>`");
    return;
  }
  printTable(
    ["DOCUMENT", "TITLE", "STATUS", "GEN", "SEGMENTS", "TOKENS", "EMBEDDED/CACHED", "LATENCY", "ERROR"],
    documents.map((document) => [
      document.documentId,
      truncate(document.title || document.dataSourceInfo.pageId, 28),
      document.isPaused && document.indexingStatus !== "paused"
        ? `${document.indexingStatus} (pausing)`
        : document.indexingStatus,
      document.generation,
      document.segmentCount,
      document.tokens,
      document.lastRun ? `${document.lastRun.embedded}/${document.lastRun.cached}` : "-",
      document.indexingLatencyMs === undefined ? "-" : `${document.indexingLatencyMs} ms`,
      truncate(document.error ?? "", 60),
    ]),
  );
}
