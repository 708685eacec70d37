import { createQueryClient, QueryApiError, type QueryFilter } from "../../client/query-client.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { IN_PROCESS_URL, inProcessFetch, OPERATOR_KEY } from "../in-process-api.js";
import { printJson, printLine, truncate } from "../output.js";
import { snippet } from "../snippet.js";
import { knownDataset } from "./known.js";

export interface QueryOptions {
  dataset?: string[];
  tenant?: string;
  topK?: number;
  /** The API's `filter`, as JSON (docs/retrieval-api.md). */
  filter?: string;
  /** The whole chunk of each match, not a one-line snippet. */
  full?: boolean;
  json?: boolean;
}

/**
 * Nearest segments to a text: the retrieval API's code path (the typed client, calling the API
 * in-process with the operator's access to the tenant), so the CLI answers what an application
 * would. Hierarchical datasets' matches come with their parent's text as context.
 */
export async function queryCommand(
  connection: Connection,
  text: string,
  options: QueryOptions,
): Promise<void> {
  if (text.trim() === "") throw new PermanentError("nothing to search for: the query text is empty");
  const { store, vectors, embedders } = connection.adapters;
  const datasets =
    options.dataset && options.dataset.length > 0 ? options.dataset : [connection.defaults.datasetId];
  // Without --tenant: the tenant of the first dataset named (the default's, or the one that has it).
  const [first = connection.defaults.datasetId] = datasets;
  const tenantId =
    options.tenant ??
    (options.dataset ? (await knownDataset(store, first)).tenantId : connection.defaults.tenantId);
  const client = createQueryClient({
    url: IN_PROCESS_URL,
    apiKey: OPERATOR_KEY,
    fetch: inProcessFetch({ store, vectors, embedders }, tenantId),
  });
  let response: Awaited<ReturnType<typeof client.query>>;
  try {
    response = await client.query({
      query: text,
      datasetId: datasets.length === 1 ? (datasets[0] as string) : datasets,
      topK: options.topK ?? 5,
      includeParent: true,
      ...(options.filter === undefined ? {} : { filter: parseFilter(options.filter) }),
    });
  } catch (error) {
    if (error instanceof QueryApiError) throw new PermanentError(error.message);
    throw error;
  }
  const { matches } = response;
  if (options.json) {
    printJson({ matches });
    return;
  }
  if (matches.length === 0) printLine("no matches");
  for (const match of matches) {
    printLine(`${match.score.toFixed(3)}  ${match.title}  ${match.sourceUrl}`);
    if (options.full) for (const line of match.content.split("\n")) printLine(`       ${line}`);
    else printLine(`       ${snippet(match.content, text)}`);
    if (match.parentContent !== undefined) printLine(`       context: ${truncate(match.parentContent, 240)}`);
  }
}

function parseFilter(json: string): QueryFilter {
  try {
    return JSON.parse(json) as QueryFilter;
  } catch {
    throw new PermanentError(
      '--filter must be JSON, e.g. \'{"pageIds":["…"],"lastEditedAfter":"2026-01-01T00:00:00Z"}\'',
    );
  }
}
