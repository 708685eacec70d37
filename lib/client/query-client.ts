/**
 * The typed client of the retrieval API (`import { createQueryClient } from "notion-index-sync/client"`).
 * It depends on nothing but `fetch`, so it runs in Node 18+, browsers' server routes and edge
 * runtimes alike. The CLI's `query` uses it too, with a fetch that calls the API in-process.
 *
 *   const client = createQueryClient({ url: process.env.QUERY_URL, apiKey: process.env.QUERY_KEY });
 *   const { matches } = await client.query({ query: "refund policy", datasetId: "handbook", topK: 5 });
 */
import type { ApiErrorCode } from "../retrieval/api-error.js";
import type { QueryFilter, QueryRequest } from "../retrieval/query-request.js";
import type { QueryMatch, QueryResponse } from "../retrieval/query-response.js";

export type { ApiErrorCode, QueryFilter, QueryMatch, QueryRequest, QueryResponse };

export interface QueryClientOptions {
  /** The API's base URL (the stack's `QueryUrl` output, or `queryUrl` in the local stack's local.json). */
  url: string;
  /** `nis_…`: sent as `Authorization: Bearer <key>`, never anywhere else. */
  apiKey: string;
  /** Another fetch (tests, the CLI's in-process API); the global one by default. */
  fetch?: typeof fetch;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

/** The API refused or failed: `code` and `status` say which (docs/retrieval-api.md lists them). */
export class QueryApiError extends Error {
  override name = "QueryApiError";
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | "bad_response",
    message: string,
    /** Seconds the API asked to wait (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface QueryClient {
  query(request: QueryRequest): Promise<QueryResponse>;
}

export function createQueryClient(options: QueryClientOptions): QueryClient {
  if (!/^https?:\/\//.test(options.url)) throw new TypeError("url must be the API's http(s) base URL");
  if (options.apiKey.trim() === "") throw new TypeError("apiKey must not be empty");
  const endpoint = new URL("v1/query", options.url.endsWith("/") ? options.url : `${options.url}/`);
  const send = options.fetch ?? fetch;
  return {
    async query(request) {
      const response = await send(endpoint, {
        method: "POST",
        headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new QueryApiError(
          response.status,
          "bad_response",
          `the API answered ${response.status} with no JSON`,
        );
      }
      if (response.ok) return body as QueryResponse;
      const error = (body as { error?: { code?: ApiErrorCode; message?: string } }).error;
      const retryAfter = Number(response.headers.get("retry-after"));
      throw new QueryApiError(
        response.status,
        error?.code ?? "bad_response",
        error?.message ?? `the API answered ${response.status}`,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      );
    },
  };
}
