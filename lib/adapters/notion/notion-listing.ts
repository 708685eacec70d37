/**
 * The two Notion reads a sweep needs, on the real client: the workspace listing (search, newest
 * edits first, 100 a request, one page per call so a sweep can stop between pages) and "has any row of this data source changed since …?" (one query
 * with a last_edited_time filter and page_size 1).
 */
import type { Client } from "@notionhq/client";
import type { ListedNotionObject, WorkspacePage } from "../../core/ports.js";
import { notionParent } from "./parent.js";
import { isIncomplete } from "./request-status.js";

const PAGE_SIZE = 100;

type ErrorMapper = (operation: string, error: unknown) => Error;

/** One page of the workspace listing (search, newest edits first, 100 a request). */
export async function listWorkspacePage(
  client: Client,
  cursor: string | undefined,
  mapError: ErrorMapper,
): Promise<WorkspacePage> {
  let response: Awaited<ReturnType<Client["search"]>>;
  try {
    response = await client.search({
      sort: { timestamp: "last_edited_time", direction: "descending" },
      page_size: PAGE_SIZE,
      start_cursor: cursor,
    });
  } catch (error) {
    throw mapError("search the workspace", error);
  }
  const objects: ListedNotionObject[] = [];
  for (const result of response.results) {
    const listed = listedObject(result);
    if (listed) objects.push(listed);
  }
  return {
    objects,
    nextCursor: response.has_more ? (response.next_cursor ?? undefined) : undefined,
    incomplete: isIncomplete(response),
  };
}

/** Partial objects (no timestamps) cannot say whether anything changed; they are left out. */
function listedObject(
  result: Record<string, unknown> & { object: string; id: string },
): ListedNotionObject | undefined {
  const lastEditedTime = result.last_edited_time;
  if (typeof lastEditedTime !== "string") return undefined;
  if (result.object === "page") {
    const parent = notionParent(result.parent);
    return { object: "page", id: result.id, lastEditedTime, ...(parent ? { parent } : {}) };
  }
  if (result.object !== "data_source") return undefined;
  const parent = result.parent as { type?: string; database_id?: string } | undefined;
  // A data source's `parent` is its database; where the database sits is `database_parent`.
  const databaseParent = notionParent(result.database_parent);
  return {
    object: "data_source",
    id: result.id,
    lastEditedTime,
    databaseId: parent?.database_id,
    ...(databaseParent ? { parent: databaseParent } : {}),
  };
}

export async function hasRowsEditedSince(
  client: Client,
  dataSourceId: string,
  since: string,
  mapError: ErrorMapper,
): Promise<boolean> {
  try {
    const response = await client.dataSources.query({
      data_source_id: dataSourceId,
      filter: { timestamp: "last_edited_time", last_edited_time: { on_or_after: since } },
      page_size: 1,
    });
    return response.results.length > 0;
  } catch (error) {
    throw mapError("query data source rows", error);
  }
}
