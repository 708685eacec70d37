/**
 * The Notion port over the real `@notionhq/client` (API version 2025-09-03).
 * - One Client per token, cached under the token's sha256 (the token itself is never a key or logged).
 * - Every request first takes a slot of its binding's rate budget (Notion allows about 3 requests a
 *   second per integration; lib/rate-limit/budgeted-fetch.ts), shared by every instance when the
 *   budget lives in DynamoDB, then goes through a retrying fetch: 429 / 5xx are retried twice when
 *   the wait is short (Retry-After ≤ 5 s); a longer wait is handed back as a RetryableError that
 *   carries it, and the message returns to the queue with that delay instead of the function
 *   sleeping (lib/sqs-records/guard-record.ts).
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
import type { ExtractionControl } from "../../core/extraction-control.js";
import type { NotionObjectType } from "../../core/model.js";
import type {
  ExtractedDocument,
  Log,
  NotionAccess,
  NotionConnector,
  NotionObjectState,
  NotionSource,
  ParentLink,
  WorkspacePage,
} from "../../core/ports.js";
import { type HeaderReader, retryAfterMs } from "../../core/retry-after.js";
import { safeOneLine } from "../../core/safe-text.js";
import { budgetedFetch } from "../../rate-limit/budgeted-fetch.js";
import { type RateSpec, shareOf, validateRateSpec } from "../../rate-limit/gcra.js";
import { createMemoryRateBudget, type RateBudget } from "../../rate-limit/rate-budget.js";
import { retryingFetch } from "../../rate-limit/retrying-fetch.js";
import {
  NotionNotFoundError,
  NotionTokenRefusedError,
  PermanentError,
  RetryableError,
} from "../../shared/errors.js";
import type { NotionRequestObserver } from "../../telemetry/notion-meter.js";
import { extractDatabase } from "./extraction/extract-database.js";
import { extractPage } from "./extraction/extract-page.js";
import { label } from "./extraction/labels.js";
import { pageTitle } from "./extraction/properties.js";
import type { ExtractionLimits, Listing, NotionReader } from "./extraction/reader.js";
import { richTextToLabel } from "./extraction/rich-text.js";
import { hasRowsEditedSince, listWorkspacePage } from "./notion-listing.js";
import { notionParent, pageKind } from "./parent.js";
import { isIncomplete } from "./request-status.js";

export const NOTION_VERSION = "2025-09-03";

export interface NotionConnectorOptions {
  /** Default: the public API. Tests and proxies point it elsewhere (NOTION_BASE_URL). */
  baseUrl?: string;
  /** Per request, default 15 000 ms. */
  timeoutMs?: number;
  /** A page with more blocks (a database: rows and their blocks) fails rather than being truncated. */
  maxBlocks?: number;
  /** Likewise for the characters of extracted text, which bounds the memory a run holds. */
  maxChars?: number;
  /** Retries of 429 / 5xx (false: none); default 2 retries, 500 ms initial back-off, waits ≤ 5 s. */
  retry?: RetryOptions | false;
  /** A binding's rate unless the binding sets its own (default 3 a second, bursts of 3). */
  rate?: RateSpec;
  /** Where budgets are kept: DynamoDB in the functions (shared), memory by default (this process). */
  budget?: RateBudget;
  /** The longest wait for a budget slot inside a call; past it the call fails as throttled. Default 10 s. */
  budgetWaitMs?: number;
  /** Told of every answered request, with its binding's budget key (metrics and the usage ledger). */
  observer?: NotionRequestObserver;
  /** The budget's clock (epoch ms); tests that move time themselves pass theirs. */
  now?: () => number;
  /** Receives the client's warnings, reduced to fields that cannot hold a token or content. */
  log?: Log;
}

const DEFAULT_RETRY: Required<RetryOptions> = {
  maxRetries: 2,
  initialRetryDelayMs: 500,
  // Longer waits are not slept out: the message goes back to the queue with the delay instead.
  maxRetryDelayMs: 5_000,
};
const PAGE_SIZE = 100;
/** Links to pages and relations name their targets with one request each, up to this many per document. */
const MAX_TITLE_LOOKUPS = 100;

export const DEFAULT_NOTION_RATE: RateSpec = { requestsPerSecond: 3, burst: 3 };
/** Slots booked per write to the budget: fewer writes, at most this many slots unused at a run's end. */
const GRANT_SIZE = 3;

export function createNotionConnector(options: NotionConnectorOptions = {}): NotionConnector {
  const clients = new Map<string, Client>();
  const budget = options.budget ?? createMemoryRateBudget();
  const defaultRate = validateRateSpec(options.rate ?? DEFAULT_NOTION_RATE);
  const retry = options.retry === false ? undefined : { ...DEFAULT_RETRY, ...options.retry };
  const limits: ExtractionLimits = {
    maxBlocks: options.maxBlocks ?? 20_000,
    maxChars: options.maxChars ?? 10_000_000,
    maxTitleLookups: MAX_TITLE_LOOKUPS,
  };

  /** Budget below, retries above: every attempt takes a slot, and a 429 pushes the budget back. */
  function notionFetch(access: NotionAccess): typeof fetch {
    const limited = budgetedFetch({
      budget,
      key: access.budgetKey,
      spec: shareOf(access.rate ?? defaultRate, access.share),
      grantSize: GRANT_SIZE,
      maxWaitMs: options.budgetWaitMs ?? 10_000,
      onAnswered: options.observer && ((answer) => options.observer?.answered(access.budgetKey, answer)),
      now: options.now,
    });
    if (retry === undefined) return limited;
    return retryingFetch(
      {
        maxRetries: retry.maxRetries,
        maxDelayMs: retry.maxRetryDelayMs,
        baseDelayMs: retry.initialRetryDelayMs,
      },
      limited,
    );
  }

  return {
    open(token: string, access: NotionAccess = { budgetKey: "process" }): NotionSource {
      // The token is never a key: its sha256 is.
      // A changed rate or share (`connect --notion-rate`, `tenant set`) takes a client of its own.
      const spec = shareOf(access.rate ?? defaultRate, access.share);
      const key = `${createHash("sha256").update(token).digest("hex")}\u0000${access.budgetKey}\u0000${spec.requestsPerSecond}/${spec.burst}`;
      let client = clients.get(key);
      if (client === undefined) {
        client = new Client({
          auth: token,
          notionVersion: NOTION_VERSION,
          baseUrl: options.baseUrl,
          timeoutMs: options.timeoutMs ?? 15_000,
          // Retries live in notionFetch, where a long Retry-After is handed back instead of slept out.
          retry: false,
          fetch: notionFetch(access),
          logLevel: LogLevel.WARN,
          logger: safeLogger(options.log),
        });
        clients.set(key, client);
      }
      return new NotionClientSource(client, token, limits);
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
    private readonly limits: ExtractionLimits,
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

  async extract(
    pageId: string,
    type: NotionObjectType,
    control?: ExtractionControl,
  ): Promise<ExtractedDocument> {
    const reader = this.reader();
    return type === "database"
      ? extractDatabase(reader, pageId, this.limits, control)
      : extractPage(reader, pageId, this.limits, control);
  }

  listWorkspacePage(cursor?: string): Promise<WorkspacePage> {
    return listWorkspacePage(this.client, cursor, (operation, error) => this.mapError(operation, error));
  }

  hasRowsEditedSince(dataSourceId: string, since: string): Promise<boolean> {
    return hasRowsEditedSince(this.client, dataSourceId, since, (operation, error) =>
      this.mapError(operation, error),
    );
  }

  async getParentLink(id: string, kind: "page" | "database" | "block"): Promise<ParentLink> {
    const retrieved =
      kind === "database"
        ? await this.retrieveDatabase(id)
        : kind === "page"
          ? await this.retrievePage(id)
          : await this.reader().retrieveBlock(id);
    const parent = notionParent(retrieved.parent);
    if (parent === undefined)
      throw new PermanentError(`Notion gave ${kind} ${id} a parent of an unknown type`);
    return { id, kind: kind === "page" ? pageKind(parent) : kind, parent };
  }

  // ---------------------------------------------------------------- calls and errors

  private retrievePage(pageId: string): Promise<PageObjectResponse> {
    return this.reader().retrievePage(pageId);
  }

  private retrieveDatabase(databaseId: string): Promise<DatabaseObjectResponse> {
    return this.reader().retrieveDatabase(databaseId);
  }

  /** A new reader counts the requests of one extraction. */
  private reader(): ClientReader {
    return new ClientReader(this.client, (operation, error) => this.mapError(operation, error));
  }

  private mapError(operation: string, error: unknown): Error {
    return mapNotionError(operation, error, this.token);
  }
}

// ---------------------------------------------------------------- reading for extraction

type ErrorMapper = (operation: string, error: unknown) => Error;

/** The reads extraction makes, over the client: counted, full objects only, errors mapped. */
class ClientReader implements NotionReader {
  requests = 0;

  constructor(
    private readonly client: Client,
    private readonly mapError: ErrorMapper,
  ) {}

  async listChildren(blockId: string, cursor: string | undefined): Promise<Listing<BlockObjectResponse>> {
    const response = await this.call("list block children", () =>
      this.client.blocks.children.list({ block_id: blockId, page_size: PAGE_SIZE, start_cursor: cursor }),
    );
    return { results: response.results.filter(isFullBlock), nextCursor: nextCursor(response) };
  }

  async queryDataSource(
    dataSourceId: string,
    cursor: string | undefined,
    createdOnOrAfter?: string,
  ): Promise<Listing<PageObjectResponse>> {
    const response = await this.call("query data source", () =>
      this.client.dataSources.query({
        data_source_id: dataSourceId,
        page_size: PAGE_SIZE,
        start_cursor: cursor,
        sorts: [{ timestamp: "created_time", direction: "ascending" }],
        ...(createdOnOrAfter === undefined
          ? {}
          : { filter: { timestamp: "created_time", created_time: { on_or_after: createdOnOrAfter } } }),
      }),
    );
    const rows = response.results.filter(
      (row): row is PageObjectResponse => row.object === "page" && "properties" in row,
    );
    return { results: rows, nextCursor: nextCursor(response), incomplete: isIncomplete(response) };
  }

  async retrievePage(pageId: string): Promise<PageObjectResponse> {
    const page = await this.call("retrieve page", () => this.client.pages.retrieve({ page_id: pageId }));
    return requireFullPage(page, pageId);
  }

  async listPropertyItems(
    pageId: string,
    propertyId: string,
    cursor: string | undefined,
  ): Promise<Listing<unknown>> {
    const response = await this.call("retrieve page property", () =>
      this.client.pages.properties.retrieve({
        page_id: pageId,
        property_id: propertyId,
        page_size: PAGE_SIZE,
        start_cursor: cursor,
      }),
    );
    if (response.object !== "list") return { results: [response], nextCursor: undefined };
    return { results: response.results, nextCursor: nextCursor(response) };
  }

  async retrieveBlock(blockId: string): Promise<{ parent: unknown }> {
    const block = await this.call("retrieve block", () => this.client.blocks.retrieve({ block_id: blockId }));
    if (!("parent" in block)) throw new PermanentError(`Notion returned a partial block for ${blockId}`);
    return block;
  }

  async retrieveDatabase(databaseId: string): Promise<DatabaseObjectResponse> {
    const database = await this.call("retrieve database", () =>
      this.client.databases.retrieve({ database_id: databaseId }),
    );
    if (!("data_sources" in database)) {
      throw new PermanentError(`Notion returned a partial database for ${databaseId}`);
    }
    return database;
  }

  /** One API call, counted, its errors mapped to the domain's. */
  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    this.requests += 1;
    try {
      return await request();
    } catch (error) {
      throw this.mapError(operation, error);
    }
  }
}

function nextCursor(response: { has_more: boolean; next_cursor: string | null }): string | undefined {
  return response.has_more && response.next_cursor !== null ? response.next_cursor : undefined;
}

function requireFullPage(page: { object: "page"; id: string }, pageId: string): PageObjectResponse {
  if (!("properties" in page)) throw new PermanentError(`Notion returned a partial page for ${pageId}`);
  return page as PageObjectResponse;
}

function isFullBlock(block: { object: "block"; id: string }): block is BlockObjectResponse {
  return "type" in block;
}

// ---------------------------------------------------------------- states and rows

function pageState(page: PageObjectResponse): NotionObjectState {
  const parent = notionParent(page.parent);
  return {
    ...(parent ? { parent } : {}),
    type: "page",
    title: pageTitle(page),
    lastEditedTime: page.last_edited_time,
    archived: page.archived,
    inTrash: page.in_trash,
    url: page.url,
  };
}

function databaseState(database: DatabaseObjectResponse): NotionObjectState {
  const parent = notionParent(database.parent);
  return {
    ...(parent ? { parent } : {}),
    type: "database",
    title: label(richTextToLabel(database.title)),
    lastEditedTime: database.last_edited_time,
    archived: database.archived,
    inTrash: database.in_trash,
    url: database.url,
  };
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
  const detail = safeOneLine(error instanceof Error ? error.message : String(error), [token]);
  const message = `Notion ${operation} failed${status === undefined ? "" : ` (${status})`}: ${detail}`;
  if (status === 401) {
    return new NotionTokenRefusedError(
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
  const asked = retryAfterMs(error.headers as HeaderReader | undefined);
  return asked === undefined ? undefined : asked / 1000;
}
