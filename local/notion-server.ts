/**
 * A Notion API stand-in (version 2025-09-03) over a NotionWorkspace, for the real `@notionhq/client`:
 * Bearer auth, `Notion-Version`, paths under /v1, cursor pagination, Notion's error shape.
 * Bind it to 127.0.0.1 and point the client's `baseUrl` at `url`.
 *
 * It enforces Notion's documented limits, so a client that is too eager fails here as it would
 * there: an average of 3 requests a second per integration token with some burst (429
 * `rate_limited`, an integer `Retry-After`, `additional_data.rate_limit_reason`), at most 100 items a
 * page, at most 10,000 results per data source query (then `has_more: false` and `request_status`
 * incomplete), and at most 25 references per relation or people property value.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./json-http.js";
import { createNotionOAuth, type NotionOAuthControls } from "./notion-oauth.js";
import { ApiError, buildRoutes, matchRoute, type Route, routeName, validation } from "./notion-routes.js";
import { NotionWorkspace } from "./notion-workspace.js";

export const NOTION_API_VERSION = "2025-09-03";

/** One workspace the server answers for, and the integration tokens that reach it. */
export interface WorkspaceAccess {
  workspace: NotionWorkspace;
  tokens: string[];
  workspaceId?: string;
}

export interface NotionServerOptions {
  /** The workspace for `tokens` (a server for one workspace). */
  workspace?: NotionWorkspace;
  /** Integration tokens accepted (all for this workspace). */
  tokens?: string[];
  workspaceId?: string;
  /** More workspaces, each reached by its own tokens (several tenants on one server). */
  workspaces?: WorkspaceAccess[];
  port?: number;
  /**
   * Requests per second per token, on average, and the burst above it (default 3 and 5: Notion's
   * documented average; its burst is not documented). A time-scaled run multiplies the rate.
   * `false` turns the limit off, for benchmarks of the extraction itself.
   */
  rateLimit?: { requestsPerSecond: number; burst: number } | false;
  /** Results one data source query can reach through its pages (Notion: 10,000). */
  queryResultLimit?: number;
  /**
   * Results one search can reach (default: all). Notion's search may also stop short and say so with
   * `request_status`; a test sets this to see that the sweep takes such a listing as incomplete.
   */
  searchResultLimit?: number;
  /**
   * A public integration's OAuth (local/notion-oauth.ts): its client, and what a grant gives. A
   * granted token reaches `workspace` (default: the server's workspace).
   */
  oauth?: {
    client: { id: string; secret: string };
    grant: { workspaceId: string; workspaceName: string; botId: string };
    workspace?: NotionWorkspace;
  };
}

export const NOTION_RATE_LIMIT = { requestsPerSecond: 3, burst: 5 };
export const QUERY_RESULT_LIMIT = 10_000;

export interface NotionStandIn {
  url: string;
  close(): Promise<void>;
  /** Requests received per route, e.g. `"GET /v1/pages/:id"`, including ones answered with a fault. */
  requestCounts(): Record<string, number>;
  /** Requests refused with 429 for going over a token's rate (not injected faults). */
  rateLimited(): number;
  /** From now on, a search reaches at most this many results and says it is incomplete (undefined: all). */
  limitSearchResults(limit: number | undefined): void;
  resetCounts(): void;
  /**
   * Requests answered for one workspace (past the rate limit) since the last reset, and when the first
   * and the last came: how much of its own budget one tenant used.
   */
  activity(workspace: NotionWorkspace): { requests: number; firstAt: number; lastAt: number } | undefined;
  /** Serves another workspace from now on; a token already served is moved to it. Returns an undo. */
  serve(access: WorkspaceAccess): () => void;
  /** From now on the API answers 401 for this token (the user removed the integration). */
  revokeToken(token: string): void;
  /** The OAuth endpoints' test controls, when the server has an OAuth client. */
  oauth: NotionOAuthControls | undefined;
  faults: {
    /** The next `count` API requests answer `status` with Notion's error shape. */
    failNext(count: number, status: number, retryAfterSeconds?: number): void;
    /** The request after the next `successes` ones answers `status`: a failure in the middle of a read. */
    failAfter(successes: number, status: number, retryAfterSeconds?: number): void;
    /**
     * The request after the next `successes` ones is answered only after `delayMs`: longer than the
     * client's timeout, it is a timeout (the client gives up; the answer arrives too late).
     */
    delayAfter(successes: number, delayMs: number): void;
    /** Drops every fault not yet served. */
    clear(): void;
    /** Faults not yet served. */
    pending(): number;
  };
}

const DEFAULT_WORKSPACE_ID = "5e7d4a1c-0b3f-4a5e-9c1d-2f6a8b9c0d1e";

const FAULT_CODES: Record<number, string> = {
  429: "rate_limited",
  500: "internal_server_error",
  502: "internal_server_error",
  503: "service_unavailable",
  504: "gateway_timeout",
  529: "service_overload",
};

interface Fault {
  /** An error status, or a delay before the normal answer. */
  status?: number;
  delayMs?: number;
  retryAfterSeconds: number | undefined;
  /** Requests still to answer normally before this fault. */
  after: number;
}

interface Served {
  workspace: NotionWorkspace;
  routes: Route[];
}

export async function startNotionServer(options: NotionServerOptions): Promise<NotionStandIn> {
  const byToken = new Map<string, Served>();
  const counts = new Map<string, number>();
  const faults: Fault[] = [];
  const rateLimit = options.rateLimit === false ? undefined : (options.rateLimit ?? NOTION_RATE_LIMIT);
  const buckets = new Map<string, TokenRate>();
  const queryResultLimit = options.queryResultLimit ?? QUERY_RESULT_LIMIT;
  let searchResultLimit = options.searchResultLimit ?? Number.POSITIVE_INFINITY;
  let rateLimited = 0;
  const activity = new Map<NotionWorkspace, { requests: number; firstAt: number; lastAt: number }>();
  // Route names do not depend on the workspace: one set matches every request for counting.
  const namingRoutes = buildRoutes(new NotionWorkspace(), DEFAULT_WORKSPACE_ID);

  function serve(access: WorkspaceAccess): () => void {
    const served = {
      workspace: access.workspace,
      routes: buildRoutes(access.workspace, access.workspaceId ?? DEFAULT_WORKSPACE_ID),
    };
    for (const token of access.tokens) byToken.set(token, served);
    return () => {
      for (const token of access.tokens) if (byToken.get(token) === served) byToken.delete(token);
    };
  }
  if (options.workspace !== undefined) {
    serve({ workspace: options.workspace, tokens: options.tokens ?? [], workspaceId: options.workspaceId });
  }
  for (const access of options.workspaces ?? []) serve(access);
  const oauthWorkspace = options.oauth?.workspace ?? options.workspace;
  const oauth =
    options.oauth && oauthWorkspace
      ? createNotionOAuth({
          client: options.oauth.client,
          grant: options.oauth.grant,
          accept: (token) => {
            serve({
              workspace: oauthWorkspace,
              tokens: [token],
              workspaceId: options.oauth?.grant.workspaceId,
            });
          },
        })
      : undefined;

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(incoming.url ?? "/", "http://stand-in");
    const method = incoming.method ?? "GET";
    const name = routeName(namingRoutes, method, url.pathname);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    // Read the body first so that an early answer never leaves it unread on a kept-alive socket.
    const raw = await readRaw(incoming);
    // OAuth endpoints take no bearer token and no Notion-Version.
    if (oauth?.handle(incoming, url, raw, response)) return;
    try {
      const fault = nextFault(faults);
      if (fault?.delayMs !== undefined) await sleep(fault.delayMs);
      else if (fault !== undefined) return sendFault(response, fault);
      const { served, token } = checkHeaders(incoming, byToken);
      if (rateLimit !== undefined) {
        const bucket = buckets.get(token) ?? new TokenRate(rateLimit);
        buckets.set(token, bucket);
        const waitMs = bucket.take(Date.now());
        if (waitMs > 0) {
          rateLimited += 1;
          return sendRateLimited(response, waitMs);
        }
      }
      const now = Date.now();
      const seen = activity.get(served.workspace) ?? { requests: 0, firstAt: now, lastAt: now };
      activity.set(served.workspace, { ...seen, requests: seen.requests + 1, lastAt: now });
      const match = matchRoute(served.routes, method, url.pathname);
      if (match === undefined) throw new ApiError(400, "invalid_request_url", "Invalid request URL.");
      const body = parseBody(raw);
      const result = match.route.handler({
        method,
        url,
        params: match.params,
        body,
        queryResultLimit,
        searchResultLimit,
      });
      send(response, 200, { ...(result as object), request_id: randomUUID() });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      send(response, error.status, errorBody(error.status, error.code, error.message));
    }
  }

  const server = await listenOnLoopback(
    createServer((incoming, response) => {
      handle(incoming, response).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        send(response, 500, errorBody(500, "internal_server_error", `stand-in failure: ${message}`));
      });
    }),
    options.port,
  );

  return {
    url: server.origin,
    close: server.close,
    requestCounts: () => Object.fromEntries(counts),
    rateLimited: () => rateLimited,
    limitSearchResults: (limit) => {
      searchResultLimit = limit ?? Number.POSITIVE_INFINITY;
    },
    resetCounts: () => {
      counts.clear();
      activity.clear();
    },
    activity: (workspace) => activity.get(workspace),
    serve,
    revokeToken: (token) => {
      byToken.delete(token);
    },
    oauth: oauth?.controls,
    faults: {
      failNext(count, status, retryAfterSeconds) {
        for (let i = 0; i < count; i++) faults.push({ status, retryAfterSeconds, after: 0 });
      },
      failAfter(successes, status, retryAfterSeconds) {
        faults.push({ status, retryAfterSeconds, after: successes });
      },
      delayAfter(successes, delayMs) {
        faults.push({ delayMs, retryAfterSeconds: undefined, after: successes });
      },
      clear() {
        faults.length = 0;
      },
      pending: () => faults.length,
    },
  };
}

/** The fault for this request, if its turn has come. */
function nextFault(faults: Fault[]): Fault | undefined {
  const first = faults[0];
  if (first === undefined) return undefined;
  if (first.after > 0) {
    first.after -= 1;
    return undefined;
  }
  return faults.shift();
}

// ---------------------------------------------------------------- request checks

/** The workspace the request's token reaches; 401 for any other token. */
function checkHeaders(
  incoming: IncomingMessage,
  byToken: Map<string, Served>,
): { served: Served; token: string } {
  const authorization = incoming.headers.authorization ?? "";
  const token = authorization.startsWith("Bearer ") ? authorization.slice("Bearer ".length) : undefined;
  const served = token === undefined ? undefined : byToken.get(token);
  if (served === undefined) throw new ApiError(401, "unauthorized", "API token is invalid.");
  const version = incoming.headers["notion-version"];
  if (version === undefined) {
    throw new ApiError(
      400,
      "missing_version",
      "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
    );
  }
  if (version !== NOTION_API_VERSION) {
    throw new ApiError(
      400,
      "validation_error",
      `This stand-in speaks Notion-Version ${NOTION_API_VERSION} only, got \`${String(version)}\`.`,
    );
  }
  return { served, token: token as string };
}

/**
 * One token's rate: a bucket of `burst` requests refilled at the average rate. Written apart from
 * the client's budget (lib/rate-limit/gcra.ts) on purpose: the same mistake on both sides would
 * hide it.
 */
class TokenRate {
  private tokens: number;
  private updatedAt = Date.now();
  constructor(private readonly limit: { requestsPerSecond: number; burst: number }) {
    this.tokens = limit.burst;
  }

  /** 0 when the request may go; otherwise how long until it could. */
  take(now: number): number {
    const perMs = this.limit.requestsPerSecond / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + (now - this.updatedAt) * perMs);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return (1 - this.tokens) / perMs;
  }
}

async function readRaw(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseBody(raw: string): Record<string, unknown> {
  if (raw === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, "invalid_json", "Error parsing JSON body.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw validation("body failed validation: body should be an object.");
  }
  return parsed as Record<string, unknown>;
}

// ---------------------------------------------------------------- responses

function errorBody(status: number, code: string, message: string) {
  return { object: "error", status, code, message, request_id: randomUUID() };
}

function sendFault(response: ServerResponse, fault: Fault): void {
  const status = fault.status ?? 500;
  const code = FAULT_CODES[status] ?? "internal_server_error";
  const message = status === 429 ? "You have been rate limited. Please try again later." : "Injected fault.";
  const headers: Record<string, string> =
    fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
  send(response, status, errorBody(status, code, message), headers);
}

/** Notion's answer to a request over the rate: Retry-After in whole seconds, and which limit it was. */
function sendRateLimited(response: ServerResponse, waitMs: number): void {
  send(
    response,
    429,
    {
      ...errorBody(429, "rate_limited", "You have been rate limited. Please try again in a few seconds."),
      additional_data: { rate_limit_reason: "integration_rate_limit" },
    },
    { "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))) },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(json),
    "x-notion-request-id": randomUUID(),
    ...headers,
  });
  response.end(json);
}
