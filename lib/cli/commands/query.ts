import { parentContexts } from "../../documents/parent-context.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { printJson, printLine, truncate } from "../output.js";
import { snippet } from "../snippet.js";
import { knownDataset } from "./known.js";

export interface QueryOptions {
  dataset?: string;
  tenant?: string;
  topK?: number;
  /** The whole chunk of each match, not a one-line snippet. */
  full?: boolean;
  json?: boolean;
}

/**
 * Nearest segments to a text, within one tenant's dataset (its own namespace and a tenant filter). In the
 * hierarchical doc form the matches are child chunks, each returned with its parent's text as context.
 */
export async function queryCommand(
  connection: Connection,
  text: string,
  options: QueryOptions,
): Promise<void> {
  const { store, vectors, embedders } = connection.adapters;
  const datasetId = options.dataset ?? connection.defaults.datasetId;
  const tenantId = options.tenant ?? connection.defaults.tenantId;
  if (text.trim() === "") throw new PermanentError("nothing to search for: the query text is empty");
  const dataset = await knownDataset(store, datasetId);
  if (dataset.tenantId !== tenantId)
    throw new PermanentError(`dataset ${datasetId} does not belong to tenant ${tenantId}`);
  // The query is embedded by the model the dataset's vectors were made with.
  const vector = await embedders.forDataset(dataset).embedQuery(text);
  const found = await vectors.query(dataset.vectorNamespace, vector, {
    topK: options.topK ?? 5,
    filter: { tenantId },
  });
  const parents =
    dataset.docForm === "hierarchical" ? await parentContexts(store, found) : new Map<string, string>();
  const matches = found.map((match) => ({
    documentId: match.metadata?.documentId ?? null,
    indexNodeId: match.id,
    score: match.score,
    title: match.metadata?.title ?? null,
    content: match.metadata?.text ?? null,
    source: match.metadata?.source ?? null,
    headingPath: match.metadata?.headingPath ?? [],
    parentContent: parents.get(match.id) ?? null,
  }));
  if (options.json) {
    printJson({ matches });
    return;
  }
  if (matches.length === 0) printLine("no matches");
  for (const match of matches) {
    printLine(`${match.score.toFixed(3)}  ${match.title ?? ""}  ${match.source ?? ""}`);
    const content = match.content ?? "";
    if (options.full) for (const line of content.split("\n")) printLine(`       ${line}`);
    else printLine(`       ${snippet(content, text)}`);
    if (match.parentContent !== null) printLine(`       context: ${truncate(match.parentContent, 240)}`);
  }
}
