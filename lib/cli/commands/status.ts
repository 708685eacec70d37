import { formatUsd } from "../../cost/estimate.js";
import { PRICES_TAKEN_ON } from "../../cost/prices.js";
import { PermanentError } from "../../errors.js";
import type { Document } from "../../model.js";
import type { Connection } from "../connect.js";
import { printJson, printLine, printTable, truncate } from "../output.js";
import { documentView, runView, statusLabel, totalsView } from "./documents-view.js";
import { knownDataset } from "./known.js";

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
    if (options.dataset !== undefined) await knownDataset(store, options.dataset);
    documents = await store.listDocuments({ datasetId: options.dataset });
  }
  if (options.json) {
    printJson({ documents: documents.map(documentView), totals: totalsView(documents) });
    return;
  }
  if (documents.length === 0) {
    printLine("no documents yet: add a Notion page with `notion-index-sync add <page id or URL>`");
    return;
  }
  printTable(
    [
      "DOCUMENT",
      "TITLE",
      "STATUS",
      "GEN",
      "SEGMENTS",
      "TOKENS",
      "EMBEDDED/CACHED",
      "REQUESTS N/P/E",
      "COST",
      "LATENCY",
      "ERROR",
    ],
    documents.map((document) => [
      document.documentId,
      truncate(document.title || document.dataSourceInfo.pageId, 28),
      statusLabel(document),
      document.generation,
      document.segmentCount,
      document.tokens,
      document.lastRun ? `${document.lastRun.embedded}/${document.lastRun.cached}` : "-",
      document.lastRun ? requestsCell(runView(document.lastRun)) : "-",
      document.lastRun ? costCell(runView(document.lastRun)) : "-",
      document.indexingLatencyMs === undefined ? "-" : `${document.indexingLatencyMs} ms`,
      truncate(document.error ?? "", 60),
    ]),
  );
  const totals = totalsView(documents);
  printLine(
    `total (last run of each of ${totals.documents} documents): ${totals.segmentCount} segments, ` +
      `${totals.embedded} embedded / ${totals.cached} from cache, ${totals.tokens} tokens, ` +
      `requests: ${totals.notionRequests} Notion, ${totals.pineconeRequests} Pinecone, ` +
      `${totals.embeddingRequests} embedding; estimated cost ${formatUsd(totals.estimatedCostUsd)}` +
      `${totals.costPriced ? "" : " (some models unpriced)"} at prices of ${PRICES_TAKEN_ON}`,
  );
}

/** Notion / Pinecone / embedding-provider requests of a run; `-` for counts a run did not record. */
function requestsCell(run: ReturnType<typeof runView>): string {
  const figure = (value: number | null) => (value === null ? "-" : String(value));
  return `${figure(run.notionRequests)}/${figure(run.pineconeRequests)}/${figure(run.embeddingRequests)}`;
}

function costCell(run: ReturnType<typeof runView>): string {
  return `${formatUsd(run.estimatedCostUsd)}${run.costPriced ? "" : "?"}`;
}
