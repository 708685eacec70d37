/**
 * The Notion port over the real `@notionhq/client` (API version 2025-09-03).
 * - One Client per token, cached under the token's sha256 (the token itself is never a key or logged).
 * - The client retries 429/529 on any method and 500/503 on GET by itself, honouring Retry-After;
 *   we bound it (2 retries, at most 10 s per wait) so a Lambda never sleeps for long: what is left
 *   surfaces as RetryableError and the queue redelivers later.
 * - Errors become the domain's typed errors, each a single line without the token.
 */
import { createHash } from "node:crypto";
import {
  APIErrorCode,
  APIResponseError,
  type BlockObjectResponse,
  Client,
  type DatabaseObjectResponse,
  isNotionClientError,
  type Logger,
  LogLevel,
  type PageObjectResponse,
  RequestTimeoutError,
  type RetryOptions,
  UnknownHTTPResponseError,
} from "@notionhq/client";
import { NotionAuthError, NotionNotFoundError, PermanentError, RetryableError } from "../errors.js";
import type { NotionObjectType } from "../model.js";
import { headingLevel, headingText, renderBlock, richTextToPlain } from "../notion/render-blocks.js";
import type {
  ExtractedBlock,
  ExtractedDocument,
  Log,
  NotionConnector,
  NotionObjectState,
  NotionSource,
} from "../ports.js";

export const NOTION_VERSION = "2025-09-03";

export interface NotionConnectorOptions {
  /** Default: the public API. Tests and proxies point it elsewhere (NOTION_BASE_URL). */
  baseUrl?: string;
  /** Per request, default 15 000 ms. */
  timeoutMs?: number;
  /** A page with more blocks (or a database with more rows) fails rather than being truncated. */
  maxBlocks?: number;
  /** The client's own retries (false: none); default 2 retries, 500 ms initial back-off, waits ≤ 10 s. */
  retry?: RetryOptions | false;
  /** Receives the client's warnings, reduced to fields that cannot hold a token or content. */
  log?: Log;
}

const DEFAULT_RETRY: Required<RetryOptions> = {
  maxRetries: 2,
  initialRetryDelayMs: 500,
  maxRetryDelayMs: 10_000,
};
const PAGE_SIZE = 100;

export function createNotionConnector(options: NotionConnectorOptions = {}): NotionConnector {
  const clients = new Map<string, Client>();
  const maxBlocks = options.maxBlocks ?? 20_000;
  return {
    open(token: string): NotionSource {
      const key = createHash("sha256").update(token).digest("hex");
      let client = clients.get(key);
      if (client === undefined) {
        client = new Client({
          auth: token,
          notionVersion: NOTION_VERSION,
          baseUrl: options.baseUrl,
          timeoutMs: options.timeoutMs ?? 15_000,
          retry: options.retry === false ? false : { ...DEFAULT_RETRY, ...options.retry },
          logLevel: LogLevel.WARN,
          logger: safeLogger(options.log),
        });
        clients.set(key, client);
      }
      return new NotionClientSource(client, token, maxBlocks);
    },
  };
}

/** Only these fields of the client's log records are passed on: no headers, no bodies. */
const SAFE_LOG_FIELDS = ["method", "path", "code", "attempt", "delayMs", "requestId"];

function safeLogger(log: Log | undefined): Logger {
  return (level, message, extra) => {
    if (log === undefined) return;
    const fields = Object.fromEntries(
      Object.entries(extra ?? {}).filter(([name]) => SAFE_LOG_FIELDS.includes(name)),
    );
    log[level](`notion client: ${message}`, fields);
  };
}

// ---------------------------------------------------------------- the source

class NotionClientSource implements NotionSource {
  constructor(
    private readonly client: Client,
    private readonly token: string,
    private readonly maxBlocks: number,
  ) {}

  async getState(pageId: string, type?: NotionObjectType): Promise<NotionObjectState> {
    if (type === "database") return databaseState(await this.retrieveDatabase(pageId));
    if (type === "page") return pageState(await this.retrievePage(pageId));
    let page: Awaited<ReturnType<Client["pages"]["retrieve"]>>;
    try {
      page = await this.client.pages.retrieve({ page_id: pageId });
    } catch (error) {
      if (isNotAPage(error)) return databaseState(await this.retrieveDatabase(pageId));
      throw this.mapError("retrieve page", error);
    }
    return pageState(requireFullPage(page, pageId));
  }

  async extract(pageId: string, type: NotionObjectType): Promise<ExtractedDocument> {
    const counter = { requests: 0 };
    return type === "database" ? this.extractDatabase(pageId, counter) : this.extractPage(pageId, counter);
  }

  // ---------------------------------------------------------------- pages

  private async extractPage(pageId: string, counter: Counter): Promise<ExtractedDocument> {
    const page = await this.retrievePage(pageId, counter);
    const walk = new BlockWalk(page.url);
    // Each frame is one parent whose children are being read, page by page, in document order.
    const stack: Frame[] = [newFrame(page.id, 0)];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      const next = frame.buffer.shift();
      if (next !== undefined) {
        this.countBlock(walk);
        const child = walk.visit(next, frame);
        if (child !== undefined) stack.push(child);
      } else if (frame.cursor !== undefined) {
        await this.fillFrame(frame, counter);
      } else {
        stack.pop();
      }
    }
    return {
      title: pageTitle(page),
      url: page.url,
      blocks: walk.blocks,
      stats: { blocks: walk.seen, skipped: walk.skipped, requests: counter.requests },
    };
  }

  private async fillFrame(frame: Frame, counter: Counter): Promise<void> {
    const response = await this.call(
      "list block children",
      () =>
        this.client.blocks.children.list({
          block_id: frame.parentId,
          page_size: PAGE_SIZE,
          start_cursor: frame.cursor === null ? undefined : frame.cursor,
        }),
      counter,
    );
    frame.buffer.push(...response.results.filter(isFullBlock));
    frame.cursor = response.has_more && response.next_cursor !== null ? response.next_cursor : undefined;
  }

  private countBlock(walk: BlockWalk): void {
    walk.seen++;
    if (walk.seen > this.maxBlocks) throw new PermanentError(`page has more than ${this.maxBlocks} blocks`);
  }

  // ---------------------------------------------------------------- databases

  private async extractDatabase(databaseId: string, counter: Counter): Promise<ExtractedDocument> {
    const database = await this.retrieveDatabase(databaseId, counter);
    const blocks: ExtractedBlock[] = [];
    for (const dataSource of database.data_sources) {
      let cursor: string | undefined;
      do {
        const response = await this.call(
          "query data source",
          () =>
            this.client.dataSources.query({
              data_source_id: dataSource.id,
              page_size: PAGE_SIZE,
              start_cursor: cursor,
            }),
          counter,
        );
        for (const row of response.results) {
          if (row.object !== "page" || !("properties" in row)) continue;
          if (blocks.length >= this.maxBlocks) {
            throw new PermanentError(`database has more than ${this.maxBlocks} rows`);
          }
          blocks.push(rowBlock(row));
        }
        cursor = response.has_more && response.next_cursor !== null ? response.next_cursor : undefined;
      } while (cursor !== undefined);
    }
    return {
      title: richTextToPlain(database.title),
      url: database.url,
      blocks,
      stats: { blocks: blocks.length, skipped: 0, requests: counter.requests },
    };
  }

  // ---------------------------------------------------------------- calls and errors

  private async retrievePage(pageId: string, counter?: Counter): Promise<PageObjectResponse> {
    const page = await this.call(
      "retrieve page",
      () => this.client.pages.retrieve({ page_id: pageId }),
      counter,
    );
    return requireFullPage(page, pageId);
  }

  private async retrieveDatabase(databaseId: string, counter?: Counter): Promise<DatabaseObjectResponse> {
    const database = await this.call(
      "retrieve database",
      () => this.client.databases.retrieve({ database_id: databaseId }),
      counter,
    );
    if (!("data_sources" in database)) {
      throw new PermanentError(`Notion returned a partial database for ${databaseId}`);
    }
    return database;
  }

  /** One API call (counted when a counter is given), its errors mapped to the domain's. */
  private async call<T>(operation: string, request: () => Promise<T>, counter?: Counter): Promise<T> {
    if (counter !== undefined) counter.requests++;
    try {
      return await request();
    } catch (error) {
      throw this.mapError(operation, error);
    }
  }

  private mapError(operation: string, error: unknown): Error {
    return mapNotionError(operation, error, this.token);
  }
}

// ---------------------------------------------------------------- walking blocks

interface Counter {
  requests: number;
}

interface Frame {
  parentId: string;
  depth: number;
  buffer: BlockObjectResponse[];
  /** null: the first page is still to be read; undefined: nothing more to read. */
  cursor: string | null | undefined;
  /** Position in the current run of numbered list items. */
  listNumber: number;
}

function newFrame(parentId: string, depth: number): Frame {
  return { parentId, depth, buffer: [], cursor: null, listNumber: 0 };
}

/** Block types whose children are other documents: never descended into. */
const SEPARATE_DOCUMENTS = new Set(["child_page", "child_database"]);

/** Turns visited blocks into ExtractedBlocks, keeping the heading path. */
class BlockWalk {
  readonly blocks: ExtractedBlock[] = [];
  seen = 0;
  skipped = 0;
  private headings: { level: number; text: string }[] = [];

  constructor(private readonly pageUrl: string) {}

  /** Records one block; returns the frame for its children when it has some to read. */
  visit(block: BlockObjectResponse, frame: Frame): Frame | undefined {
    frame.listNumber = block.type === "numbered_list_item" ? frame.listNumber + 1 : 0;
    const level = headingLevel(block);
    if (level !== undefined) {
      // A heading opens its own section: it is the first entry of its own path.
      this.headings = this.headings.filter((heading) => heading.level < level);
      this.headings.push({ level, text: headingText(block) });
    }
    const text = renderBlock(block, { depth: frame.depth, number: frame.listNumber });
    if (text === undefined) this.skipped++;
    else if (text.trim() !== "") {
      this.blocks.push({
        blockId: block.id,
        text,
        headingPath: this.headings.map((heading) => heading.text),
        sourceUrl: `${this.pageUrl}#${block.id.replaceAll("-", "")}`,
      });
    }
    if (!block.has_children || SEPARATE_DOCUMENTS.has(block.type)) return undefined;
    return newFrame(block.id, frame.depth + 1);
  }
}

function requireFullPage(page: { object: "page"; id: string }, pageId: string): PageObjectResponse {
  if (!("properties" in page)) throw new PermanentError(`Notion returned a partial page for ${pageId}`);
  return page as PageObjectResponse;
}

function isFullBlock(block: { object: "block"; id: string }): block is BlockObjectResponse {
  return "type" in block;
}

// ---------------------------------------------------------------- states and rows

function pageTitle(page: PageObjectResponse): string {
  for (const property of Object.values(page.properties)) {
    if (property.type === "title") return richTextToPlain(property.title);
  }
  return "";
}

function pageState(page: PageObjectResponse): NotionObjectState {
  return {
    type: "page",
    title: pageTitle(page),
    lastEditedTime: page.last_edited_time,
    archived: page.archived,
    inTrash: page.in_trash,
    url: page.url,
  };
}

function databaseState(database: DatabaseObjectResponse): NotionObjectState {
  return {
    type: "database",
    title: richTextToPlain(database.title),
    lastEditedTime: database.last_edited_time,
    archived: database.archived,
    inTrash: database.in_trash,
    url: database.url,
  };
}

type PropertyValue = PageObjectResponse["properties"][string];

/** A database row: its title, then one `name: value` line per non-empty property. */
function rowBlock(row: PageObjectResponse): ExtractedBlock {
  const lines = [pageTitle(row)];
  for (const [name, property] of Object.entries(row.properties)) {
    if (property.type === "title") continue;
    const value = propertyText(property);
    if (value !== undefined && value !== "") lines.push(`${name}: ${value}`);
  }
  return { blockId: row.id, text: lines.join("\n"), headingPath: [], sourceUrl: row.url };
}

function propertyText(property: PropertyValue): string | undefined {
  switch (property.type) {
    case "rich_text":
      return richTextToPlain(property.rich_text);
    case "select":
      return property.select?.name;
    case "status":
      return property.status?.name;
    case "multi_select":
      return property.multi_select.map((option) => option.name).join(", ");
    case "date":
      if (property.date === null) return undefined;
      return property.date.end ? `${property.date.start} → ${property.date.end}` : property.date.start;
    case "number":
      return property.number === null ? undefined : String(property.number);
    case "checkbox":
      return property.checkbox ? "yes" : "no";
    case "url":
      return property.url ?? undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- error mapping

/**
 * With no type known, a page lookup that fails because the id is a database falls back to the
 * database API. Notion says so with a 404, or with a 400 whose only distinguishing mark is its text.
 */
function isNotAPage(error: unknown): boolean {
  if (!APIResponseError.isAPIResponseError(error)) return false;
  if (error.code === APIErrorCode.ObjectNotFound) return true;
  return error.code === APIErrorCode.ValidationError && /is a database, not a page/i.test(error.message);
}

/** Maps a client error to the domain's typed errors; the message is one line and never holds the token. */
export function mapNotionError(operation: string, error: unknown, token: string): Error {
  const status = errorStatus(error);
  const detail = oneLine(error instanceof Error ? error.message : String(error), token);
  const message = `Notion ${operation} failed${status === undefined ? "" : ` (${status})`}: ${detail}`;
  if (status === 401) {
    return new NotionAuthError(
      "Notion rejected the integration token (401): reconnect Notion for this workspace",
    );
  }
  if (status === 404 || (isNotionClientError(error) && error.code === APIErrorCode.ObjectNotFound)) {
    return new NotionNotFoundError(message);
  }
  if (RequestTimeoutError.isRequestTimeoutError(error)) return new RetryableError(message, { cause: error });
  if (status === 429 || (status !== undefined && status >= 500)) {
    return new RetryableError(message, { cause: error, retryAfterSeconds: retryAfterSeconds(error) });
  }
  if (status !== undefined) return new PermanentError(message);
  if (isNotionClientError(error)) return new PermanentError(message);
  // fetch failed: refused, reset, DNS... a later attempt may succeed.
  return new RetryableError(message, { cause: error });
}

function errorStatus(error: unknown): number | undefined {
  if (
    APIResponseError.isAPIResponseError(error) ||
    UnknownHTTPResponseError.isUnknownHTTPResponseError(error)
  ) {
    return error.status;
  }
  return undefined;
}

function retryAfterSeconds(error: unknown): number | undefined {
  if (!APIResponseError.isAPIResponseError(error)) return undefined;
  const headers = error.headers as { get?: (name: string) => string | null } | undefined;
  const value = typeof headers?.get === "function" ? headers.get("retry-after") : null;
  const seconds = value === null || value === undefined ? Number.NaN : Number.parseInt(value, 10);
  return Number.isNaN(seconds) ? undefined : seconds;
}

function oneLine(message: string, token: string): string {
  const flat = message.replace(/\s+/g, " ").trim();
  return token === "" ? flat : flat.replaceAll(token, "[token]");
}
