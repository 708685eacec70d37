/**
 * The query API over HTTP (docs/retrieval-api.md): `POST /v1/query`. In order, and nothing is read
 * before the step that needs it: route → key (401) → the key's request rate (429) → body (413, 415,
 * 400) → retrieve (./retrieve.ts). Every error answers `{error: {code, message}}`; a failure of
 * ours is a 500 or, when a later try may work, a 503 with Retry-After, logged with its reason.
 * One log line per request: who, what size, how it ended; never the query text or the key.
 */
import type { Log } from "../core/ports.js";
import type { HttpRequest, HttpResponse } from "../http/function-url-event.js";
import { RetryableError } from "../shared/errors.js";
import { ApiError, type ApiErrorBody } from "./api-error.js";
import { parseQueryRequest, requestedDatasets } from "./query-request.js";
import { type Access, type RetrievalPorts, retrieve } from "./retrieve.js";

export const QUERY_PATH = "/v1/query";
/** A query body is a few hundred bytes; one far larger is not a query. */
export const MAX_QUERY_BODY_BYTES = 32 * 1024;

/** What a failure the API did not answer itself gets (the function URL wrapper's last resort). */
export const QUERY_FAILURE = {
  message: "query request failed",
  body: {
    error: { code: "internal", message: "the query failed on our side; it is logged" },
  } satisfies ApiErrorBody,
};

export interface QueryApiDeps {
  retrieval: RetrievalPorts;
  /** The access the Authorization header grants; throws ApiError `unauthorized`. */
  authenticate(authorization: string | undefined): Promise<Access & { keyId?: string }>;
  /** Throws ApiError `rate_limited` when the caller is over its rate. */
  admit?(access: Access & { keyId?: string }): Promise<void>;
  log: Log;
  now?: () => number;
}

export function createQueryApi(deps: QueryApiDeps): (request: HttpRequest) => Promise<HttpResponse> {
  const now = deps.now ?? Date.now;
  return async function handleQuery(request) {
    const started = now();
    const facts: Record<string, unknown> = { method: request.method, path: request.path };
    let response: HttpResponse;
    try {
      response = { status: 200, body: await answer(deps, request, facts) };
    } catch (error) {
      response = errorResponse(error, deps.log);
    }
    const outcome = response.status === 200 ? "answered" : "refused";
    deps.log.info(`query ${outcome}`, { ...facts, status: response.status, durationMs: now() - started });
    return response;
  };
}

async function answer(deps: QueryApiDeps, request: HttpRequest, facts: Record<string, unknown>) {
  if (request.path !== QUERY_PATH)
    throw new ApiError("not_found", `no such path: POST ${QUERY_PATH} is the API`);
  if (request.method !== "POST") throw new ApiError("method_not_allowed", `${QUERY_PATH} takes POST only`);
  const access = await deps.authenticate(request.headers.authorization);
  Object.assign(facts, { keyId: access.keyId, tenantId: access.tenantId });
  await deps.admit?.(access);
  const body = readJsonBody(request);
  const parsed = parseQueryRequest(body);
  if (!parsed.ok) throw new ApiError("invalid_request", `the body ${parsed.reason}`);
  Object.assign(facts, {
    datasets: requestedDatasets(parsed.request),
    topK: parsed.request.topK,
    queryChars: parsed.request.query.length,
  });
  const result = await retrieve(deps.retrieval, access, parsed.request);
  facts.matches = result.matches.length;
  return result;
}

function readJsonBody(request: HttpRequest): unknown {
  if (request.body.length > MAX_QUERY_BODY_BYTES)
    throw new ApiError("payload_too_large", `the body is over ${MAX_QUERY_BODY_BYTES / 1024} KB`);
  const type = request.headers["content-type"];
  if (type !== undefined && !/^application\/json\b/i.test(type))
    throw new ApiError("unsupported_media_type", "send the body as application/json");
  try {
    return JSON.parse(request.body.toString("utf8"));
  } catch {
    throw new ApiError("invalid_request", "the body is not JSON");
  }
}

function errorResponse(error: unknown, log: Log): HttpResponse {
  let apiError: ApiError;
  if (error instanceof ApiError) apiError = error;
  else if (error instanceof RetryableError) {
    log.warn("query failed for now", { reason: `${error.name}: ${error.message}` });
    apiError = new ApiError(
      "unavailable",
      "a service the API needs is busy: try again",
      error.retryAfterSeconds ?? 1,
    );
  } else {
    log.error("query failed", {
      reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    apiError = new ApiError("internal", "the query failed on our side; it is logged");
  }
  const body: ApiErrorBody = { error: { code: apiError.code, message: apiError.message } };
  return {
    status: apiError.status,
    body,
    ...(apiError.retryAfterSeconds === undefined
      ? {}
      : { headers: { "retry-after": String(Math.max(1, Math.ceil(apiError.retryAfterSeconds))) } }),
  };
}
