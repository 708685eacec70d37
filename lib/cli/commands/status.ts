import type { Dataset, Document } from "../../core/model.js";
import { formatUsd } from "../../cost/estimate.js";
import { describeScope } from "../../scopes/scope-settings.js";
import { PermanentError } from "../../shared/errors.js";
import { PRICES_TAKEN_ON } from "../../shared/prices.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";
import { type Column, formatTable, plural, terminalWidth, useColour, wrap } from "../table.js";
import { documentView, runView, statusLabel, totalsView } from "./documents-view.js";
import { knownDataset } from "./known.js";

export interface StatusOptions {
  dataset?: string;
  /** The dataset's tenant, or only this tenant's documents. */
  tenant?: string;
  document?: string;
  json?: boolean;
}

export async function statusCommand(connection: Connection, options: StatusOptions): Promise<void> {
  const { store } = connection.adapters;
  let documents: Document[];
  let dataset: Dataset | undefined;
  if (options.document) {
    const document = await store.getDocument(options.document);
    if (!document) throw new PermanentError(`no document ${options.document}`);
    documents = [document];
  } else {
    if (options.dataset !== undefined) dataset = await knownDataset(store, options.dataset, options.tenant);
    documents = await store.listDocuments(
      dataset ? dataset : options.tenant === undefined ? {} : { tenantId: options.tenant },
    );
  }
  const datasetSummary = dataset === undefined ? undefined : datasetView(dataset, documents);
  if (options.json) {
    printJson({
      documents: documents.map(documentView),
      totals: totalsView(documents),
      ...(datasetSummary === undefined ? {} : { dataset: datasetSummary }),
    });
    return;
  }
  if (datasetSummary !== undefined) {
    for (const line of datasetLines(datasetSummary)) printLine(line);
    if (documents.length > 0) printLine();
  }
  if (documents.length === 0) {
    printLine("no documents yet: add a Notion page with `notion-index-sync add <page id or URL>`");
    return;
  }
  const colour = useColour();
  const columns: Column[] = [
    { header: "document", cells: documents.map((document) => document.documentId) },
    { header: "dataset", cells: documents.map((document) => document.datasetId), dropPriority: 3 },
    {
      header: "title",
      cells: documents.map((document) => document.title || document.dataSourceInfo.pageId),
      minWidth: 10,
    },
    {
      header: "status",
      cells: documents.map(statusLabel),
      style: colour ? (cell, row) => colourStatus(cell, documents[row]) : undefined,
    },
    {
      header: "segments",
      cells: documents.map((d) => count(d.segmentCount)),
      align: "right",
      dropPriority: 6,
    },
    { header: "tokens", cells: documents.map((d) => count(d.tokens)), align: "right", dropPriority: 5 },
    {
      header: "embedded",
      cells: documents.map((d) => (d.lastRun ? count(d.lastRun.embedded) : "-")),
      align: "right",
      dropPriority: 2,
    },
    {
      header: "from cache",
      cells: documents.map((d) => (d.lastRun ? count(d.lastRun.cached) : "-")),
      align: "right",
      dropPriority: 1,
    },
    {
      header: "cost",
      cells: documents.map((d) => (d.lastRun ? costCell(runView(d.lastRun)) : "-")),
      align: "right",
      dropPriority: 0,
    },
    {
      header: "took",
      cells: documents.map((d) => (d.indexingLatencyMs === undefined ? "-" : seconds(d.indexingLatencyMs))),
      align: "right",
      dropPriority: 4,
    },
  ];
  if (documents.some((document) => document.error)) {
    columns.push({
      header: "error",
      cells: documents.map((d) => d.error ?? ""),
      minWidth: 12,
      dropPriority: 9,
    });
  }
  const width = terminalWidth();
  for (const line of formatTable(columns, width)) printLine(line);

  const totals = totalsView(documents);
  printLine();
  const summary =
    `${plural(totals.documents, "document")}: ${plural(totals.segmentCount, "segment")}, ` +
    `${plural(totals.tokens, "token")}.`;
  const runs =
    totals.documentsWithRuns === 0
      ? ""
      : ` Their last ${plural(totals.documentsWithRuns, "run")}: ${plural(totals.embedded, "chunk")} embedded ` +
        `(${plural(totals.lastRunTokens, "token")}), ${count(totals.cached)} from the cache; requests: ` +
        `${count(totals.notionRequests)} Notion, ${count(totals.pineconeRequests)} Pinecone, ` +
        `${count(totals.embeddingRequests)} embedding; estimated cost ${formatUsd(totals.estimatedCostUsd)}` +
        `${totals.costPriced ? "" : " (some models unpriced)"} at prices of ${PRICES_TAKEN_ON}.`;
  for (const line of wrap(summary + runs, width)) printLine(line);
}

/** A dataset's scope and its documents counted by status (what a backfill's progress is read from). */
function datasetView(dataset: Dataset, documents: Document[]) {
  const byStatus: Record<string, number> = {};
  for (const document of documents) {
    byStatus[document.indexingStatus] = (byStatus[document.indexingStatus] ?? 0) + 1;
  }
  return {
    datasetId: dataset.datasetId,
    tenantId: dataset.tenantId,
    scope: dataset.scope ?? null,
    paused: dataset.paused === true,
    documents: documents.length,
    registeredByScope: documents.filter((document) => document.registeredBy === "scope").length,
    byStatus,
  };
}

function datasetLines(view: ReturnType<typeof datasetView>): string[] {
  const counts = Object.entries(view.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status} ${count(n)}`)
    .join(", ");
  const scope = view.scope ?? undefined;
  const lines = [
    `dataset ${view.datasetId}${view.paused ? " (paused)" : ""}: ${describeScope(scope)}`,
    `${plural(view.documents, "document")} (${count(view.registeredByScope)} found by the scope)${counts ? `: ${counts}` : ""}`,
  ];
  if (scope?.backfillPending) lines.push("backfill: listing the workspace to find what the scope holds");
  if (scope?.overLimit?.by === "tenant-quota") {
    lines.push(
      `over the tenant's quota: the scope holds ${count(scope.overLimit.wanted)} documents and tenant ${view.tenantId} may hold no more (seen ${scope.overLimit.at}); raise it with \`tenant set ${view.tenantId} --max-documents N\` or narrow the scope`,
    );
  } else if (scope?.overLimit) {
    lines.push(
      `over the limit: the scope holds ${count(scope.overLimit.wanted)} documents, more than the maximum of ${count(scope.maxDocuments)} (seen ${scope.overLimit.at}); raise it with \`dataset set ${view.datasetId} --max-documents N\` or narrow the scope`,
    );
  }
  return lines;
}

const count = (value: number) => value.toLocaleString("en-US");
const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

const ANSI = { green: 32, red: 31, yellow: 33, dim: 2 } as const;
function colourStatus(cell: string, document: Document | undefined): string {
  const status = document?.indexingStatus;
  const code =
    status === "completed"
      ? ANSI.green
      : status === "error"
        ? ANSI.red
        : status === "archived" || document?.isPaused
          ? ANSI.dim
          : ANSI.yellow;
  return `\u001b[${code}m${cell}\u001b[0m`;
}

function costCell(run: ReturnType<typeof runView>): string {
  return `${formatUsd(run.estimatedCostUsd)}${run.costPriced ? "" : "?"}`;
}
