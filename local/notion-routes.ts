/**
 * The Notion stand-in's API: its routes over a NotionWorkspace (pages, blocks, databases, data sources,
 * search, users), with Notion's pagination, filters, sorts and page-size limits, and the errors the
 * API answers with. The server (local/notion-server.ts) adds auth, rate limits and faults.
 */

import { normalizeId } from "./notion-ids.js";
import type { NotionWorkspace } from "./notion-workspace.js";

/** An error the API answers with: status, Notion error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Request {
  method: string;
  url: URL;
  params: string[];
  body: Record<string, unknown>;
  queryResultLimit: number;
  searchResultLimit: number;
}

export type Handler = (request: Request) => unknown;

export interface Route {
  method: string;
  pattern: RegExp;
  name: string;
  handler: Handler;
}

// ---------------------------------------------------------------- routes

export function buildRoutes(workspace: NotionWorkspace, workspaceId: string): Route[] {
  const id = "([^/]+)";
  const route = (method: string, path: string, name: string, handler: Handler): Route => ({
    method,
    pattern: new RegExp(`^${path}$`),
    name: `${method} ${name}`,
    handler,
  });
  return [
    route("GET", "/v1/users/me", "/v1/users/me", () => botUser(workspace, workspaceId)),
    route("GET", `/v1/pages/${id}`, "/v1/pages/:id", ({ params }) => retrievePage(workspace, params)),
    route("GET", `/v1/pages/${id}/properties/${id}`, "/v1/pages/:id/properties/:property_id", (request) =>
      retrievePageProperty(workspace, request),
    ),
    route("GET", `/v1/blocks/${id}/children`, "/v1/blocks/:id/children", (request) =>
      listChildren(workspace, request),
    ),
    route("GET", `/v1/blocks/${id}`, "/v1/blocks/:id", ({ params }) => retrieveBlock(workspace, params)),
    route("GET", `/v1/databases/${id}`, "/v1/databases/:id", ({ params }) =>
      retrieveDatabase(workspace, params),
    ),
    route("GET", `/v1/data_sources/${id}`, "/v1/data_sources/:id", ({ params }) =>
      retrieveDataSource(workspace, params),
    ),
    route("POST", `/v1/data_sources/${id}/query`, "/v1/data_sources/:id/query", (request) =>
      queryDataSource(workspace, request),
    ),
    route("POST", "/v1/search", "/v1/search", ({ body, searchResultLimit }) =>
      search(workspace, body, searchResultLimit),
    ),
  ];
}

/** The route's name for counting (a path that does not decode is counted by itself). */
export function routeName(routes: Route[], method: string, path: string): string {
  try {
    return matchRoute(routes, method, path)?.route.name ?? `${method} ${path}`;
  } catch {
    return `${method} ${path}`;
  }
}

export function matchRoute(routes: Route[], method: string, path: string) {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match !== null) return { route, params: match.slice(1).map(decodePathSegment) };
  }
  return undefined;
}

/** As Notion does, a path segment that is not valid percent-encoding is a 400, not a server error. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw validation(`path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}

export function botUser(workspace: NotionWorkspace, workspaceId: string) {
  return {
    object: "user",
    id: workspace.botId,
    name: workspace.botName,
    avatar_url: null,
    type: "bot",
    bot: {
      owner: { type: "workspace", workspace: true },
      workspace_id: workspaceId,
      workspace_name: workspace.workspaceName,
      workspace_limits: { max_file_upload_size_in_bytes: 5_368_709_120 },
    },
  };
}

/**
 * A page property item: a relation or people value is a paginated list of items (every reference,
 * where the page object shows 25), any other property one item.
 */
export function retrievePageProperty(workspace: NotionWorkspace, { params, url }: Request) {
  const pageId = pathId(params, "page_id");
  const propertyId = params[1] ?? "";
  const found = workspace.propertyItems(pageId, propertyId);
  if (found === undefined) throw notFound("page property", `${pageId}/${propertyId}`);
  if (!("references" in found)) return found;
  const references = found.references as Record<string, unknown>[];
  const pageSize = queryPageSize(url.searchParams.get("page_size"));
  // Every item of one property has the property's id, so the cursor is an offset, not an item id
  // (`paginate` pages by id).
  const cursor = url.searchParams.get("start_cursor");
  const start = cursor === null ? 0 : Number(cursor.replace(/^offset-/, ""));
  if (!Number.isInteger(start) || start < 0) throw validation(`start_cursor provided is invalid: ${cursor}`);
  const results = references
    .slice(start, start + pageSize)
    .map((reference) => ({ object: "property_item", id: found.id, type: found.type, ...reference }));
  const hasMore = start + pageSize < references.length;
  return {
    object: "list",
    results,
    next_cursor: hasMore ? `offset-${start + pageSize}` : null,
    has_more: hasMore,
    type: "property_item",
    property_item: { id: found.id, next_url: null, type: found.type, [String(found.type)]: {} },
  };
}

export function retrievePage(workspace: NotionWorkspace, params: string[]) {
  const pageId = pathId(params, "page_id");
  const page = workspace.visiblePage(pageId);
  if (page !== undefined) return workspace.pageObject(page);
  // Notion tells a database id apart from a missing page.
  if (workspace.visibleDatabase(pageId) !== undefined) {
    throw new ApiError(
      400,
      "validation_error",
      `Provided ID ${pageId} is a database, not a page. Use the retrieve database API instead.`,
    );
  }
  throw notFound("page", pageId);
}

export function retrieveBlock(workspace: NotionWorkspace, params: string[]) {
  const blockId = pathId(params, "block_id");
  const stored = workspace.visibleBlock(blockId);
  if (stored !== undefined) return workspace.blockObject(stored);
  const page = workspace.visiblePage(blockId);
  if (page !== undefined) return workspace.pageAsBlock(page);
  throw notFound("block", blockId);
}

export function listChildren(workspace: NotionWorkspace, { url, params }: Request) {
  const blockId = pathId(params, "block_id");
  const children = workspace.childrenOf(blockId);
  if (children === undefined) throw notFound("block", blockId);
  const pageSize = queryPageSize(url.searchParams.get("page_size"));
  const startCursor = url.searchParams.get("start_cursor") ?? undefined;
  return { ...paginate(children, startCursor, pageSize), type: "block", block: {} };
}

export function retrieveDatabase(workspace: NotionWorkspace, params: string[]) {
  const databaseId = pathId(params, "database_id");
  const database = workspace.visibleDatabase(databaseId);
  if (database !== undefined) return workspace.databaseObject(database);
  if (workspace.visiblePage(databaseId) !== undefined) {
    throw new ApiError(
      400,
      "validation_error",
      `Provided ID ${databaseId} is a page, not a database. Use the retrieve page API instead.`,
    );
  }
  throw notFound("database", databaseId);
}

export function retrieveDataSource(workspace: NotionWorkspace, params: string[]) {
  const dataSourceId = pathId(params, "data_source_id");
  const dataSource = workspace.visibleDataSource(dataSourceId);
  if (dataSource === undefined) throw notFound("data_source", dataSourceId);
  return workspace.dataSourceObject(dataSource);
}

export function queryDataSource(workspace: NotionWorkspace, { params, body, queryResultLimit }: Request) {
  const dataSourceId = pathId(params, "data_source_id");
  if (workspace.visibleDataSource(dataSourceId) === undefined) throw notFound("data_source", dataSourceId);
  const rows = workspace.rowStamps(dataSourceId).filter(timestampFilter(body.filter));
  const sorted = sortRows(rows, body.sorts);
  const { startCursor, pageSize } = bodyPagination(body);
  // A query (its filter and sorts) reaches its first 10,000 results only; every page of it says so.
  const reachable = sorted.slice(0, queryResultLimit);
  const capped = sorted.length > queryResultLimit;
  const listed = paginate(reachable, startCursor, pageSize);
  return {
    ...listed,
    results: listed.results.map((row) => workspace.rowObject(String(row.id))),
    type: "page_or_data_source",
    page_or_data_source: {},
    ...(capped
      ? { request_status: { type: "incomplete", incomplete_reason: "query_result_limit_reached" } }
      : {}),
  };
}

export function search(workspace: NotionWorkspace, body: Record<string, unknown>, resultLimit: number) {
  const query = typeof body.query === "string" ? body.query.toLowerCase() : "";
  const objectFilter = searchObjectFilter(body.filter);
  const found = workspace
    .searchable()
    .filter((item) => objectFilter === undefined || item.object === objectFilter)
    .filter((item) => item.title.toLowerCase().includes(query))
    .map((item) => item.json);
  const direction = searchSortDirection(body.sort);
  const sorted = sortByTime(found, "last_edited_time", direction);
  const { startCursor, pageSize } = bodyPagination(body);
  const capped = sorted.length > resultLimit;
  return {
    ...paginate(sorted.slice(0, resultLimit), startCursor, pageSize),
    type: "page_or_data_source",
    page_or_data_source: {},
    ...(capped
      ? { request_status: { type: "incomplete", incomplete_reason: "query_result_limit_reached" } }
      : {}),
  };
}

export function pathId(params: string[], name: string): string {
  const raw = params[0] ?? "";
  const id = normalizeId(raw);
  if (id === undefined) {
    throw validation(
      `path failed validation: path.${name} should be a valid uuid, instead was \`"${raw}"\`.`,
    );
  }
  return id;
}

export function queryPageSize(raw: string | null): number {
  if (raw === null) return 100;
  return checkPageSize(Number(raw), "query");
}

export function bodyPagination(body: Record<string, unknown>): {
  startCursor: string | undefined;
  pageSize: number;
} {
  const pageSize = body.page_size === undefined ? 100 : checkPageSize(body.page_size, "body");
  const cursor = body.start_cursor;
  if (cursor !== undefined && cursor !== null && typeof cursor !== "string") {
    throw validation("body failed validation: body.start_cursor should be a string.");
  }
  return { startCursor: cursor ?? undefined, pageSize };
}

export function checkPageSize(value: unknown, where: "query" | "body"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw validation(`${where} failed validation: ${where}.page_size should be a positive integer.`);
  }
  if (value > 100) {
    throw validation(
      `${where} failed validation: ${where}.page_size should be ≤ \`100\`, instead was \`${value}\`.`,
    );
  }
  return value;
}

// ---------------------------------------------------------------- pagination, filters, sorts

/** Cursors are the id of the first item of the next page, as Notion's block cursors are. */
export function paginate(
  items: Record<string, unknown>[],
  startCursor: string | undefined,
  pageSize: number,
) {
  let start = 0;
  if (startCursor !== undefined) {
    const cursorId = normalizeId(startCursor);
    start = items.findIndex((item) => item.id === cursorId);
    if (start < 0) throw validation(`start_cursor provided is invalid: ${startCursor}`);
  }
  const results = items.slice(start, start + pageSize);
  const next = items[start + pageSize];
  return {
    object: "list",
    results,
    next_cursor: next === undefined ? null : String(next.id),
    has_more: next !== undefined,
  };
}

export type Row = Record<string, unknown>;

/** Supports Notion's timestamp filter on `last_edited_time` / `created_time`. */
export function timestampFilter(filter: unknown): (row: Row) => boolean {
  if (filter === undefined || filter === null) return () => true;
  const spec = filter as Record<string, unknown>;
  const timestamp = spec.timestamp;
  if (timestamp !== "last_edited_time" && timestamp !== "created_time") {
    throw validation(
      "body failed validation: this stand-in supports only a timestamp filter on last_edited_time or created_time.",
    );
  }
  const condition = spec[timestamp] as Record<string, unknown> | undefined;
  const [operator, value] = Object.entries(condition ?? {})[0] ?? [];
  const bound = typeof value === "string" ? Date.parse(value) : Number.NaN;
  const compare = COMPARISONS[operator ?? ""];
  if (compare === undefined || Number.isNaN(bound)) {
    throw validation(
      `body failed validation: body.filter.${timestamp} needs one of ${Object.keys(COMPARISONS)}.`,
    );
  }
  return (row) => compare(Date.parse(String(row[timestamp])), bound);
}

export const COMPARISONS: Record<string, (time: number, bound: number) => boolean> = {
  equals: (time, bound) => time === bound,
  before: (time, bound) => time < bound,
  after: (time, bound) => time > bound,
  on_or_before: (time, bound) => time <= bound,
  on_or_after: (time, bound) => time >= bound,
};

export function sortRows(rows: Row[], sorts: unknown): Row[] {
  if (sorts === undefined) return rows;
  if (!Array.isArray(sorts)) throw validation("body failed validation: body.sorts should be an array.");
  // Apply the least significant sort first: Array.prototype.sort is stable.
  return [...sorts].reverse().reduce<Row[]>((sorted, sort) => {
    const { timestamp, direction } = sort as Record<string, unknown>;
    if (timestamp !== "last_edited_time" && timestamp !== "created_time") {
      throw validation(
        "body failed validation: this stand-in sorts only by last_edited_time or created_time.",
      );
    }
    return sortByTime(sorted, timestamp, direction === "descending" ? "descending" : "ascending");
  }, rows);
}

export function sortByTime(items: Row[], field: string, direction: "ascending" | "descending"): Row[] {
  const sign = direction === "ascending" ? 1 : -1;
  return [...items].sort((a, b) => sign * (Date.parse(String(a[field])) - Date.parse(String(b[field]))));
}

export function searchObjectFilter(filter: unknown): "page" | "data_source" | undefined {
  if (filter === undefined || filter === null) return undefined;
  const { property, value } = filter as Record<string, unknown>;
  if (property !== "object" || (value !== "page" && value !== "data_source")) {
    throw validation(
      'body failed validation: body.filter.value should be `"page"` or `"data_source"`, instead was `' +
        `${JSON.stringify(value)}\`.`,
    );
  }
  return value;
}

export function searchSortDirection(sort: unknown): "ascending" | "descending" {
  if (sort === undefined || sort === null) return "descending";
  const { timestamp, direction } = sort as Record<string, unknown>;
  if (timestamp !== "last_edited_time" || (direction !== "ascending" && direction !== "descending")) {
    throw validation(
      "body failed validation: body.sort should sort by last_edited_time, ascending or descending.",
    );
  }
  return direction;
}

// ---------------------------------------------------------------- errors

export function validation(message: string): ApiError {
  return new ApiError(400, "validation_error", message);
}

export function notFound(kind: string, id: string): ApiError {
  return new ApiError(
    404,
    "object_not_found",
    `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );
}
