/**
 * VectorIndex (lib/core/ports.ts) on the real Pinecone client, 8.x.
 *
 * What the client does by itself, and what this adapter adds:
 * - it retries 5xx (not 429) with exponential backoff, `maxRetries` times (default 3), then throws
 *   PineconeMaxRetriesExceededError, which names no status;
 * - its errors keep neither the status of a 429 nor the response headers (Retry-After).
 * So every request runs with a fetch wrapper that records, per call (AsyncLocalStorage), the last HTTP
 * status, Retry-After and Pinecone's own message; errors are mapped from those to RetryableError or
 * PermanentError with a one-line message that never contains the API key.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { PineconeConfiguration, RecordMetadata } from "@pinecone-database/pinecone";
// The data plane and inference alone: the package's root also loads the control plane, assistants
// and previews, which a function never uses (about 380 KB of its bundle; npm run bench:bundle).
import { Index } from "@pinecone-database/pinecone/dist/data/index.js";
import { Inference } from "@pinecone-database/pinecone/dist/inference/inference.js";
import type {
  RequestMeter,
  VectorIndex,
  VectorMatch,
  VectorMetadata,
  VectorRecord,
} from "../../core/ports.js";
import { retryAfterMs } from "../../core/retry-after.js";
import { safeOneLine } from "../../core/safe-text.js";
import { PermanentError, RetryableError } from "../../shared/errors.js";

export interface PineconeVectorIndexOptions {
  apiKey: string;
  /** The index host (`https://…pinecone.io`, or `http://127.0.0.1:PORT` for the stand-in). */
  indexHost: string;
  controllerHostUrl?: string;
  /** Records per upsert request; at most 100. Batches are also kept well under Pinecone's 2 MB. */
  upsertBatchSize?: number;
  /** Retries of 5xx answers by the client itself (its default is 3). */
  maxRetries?: number;
  /** Per-request timeout; a timeout is retryable. */
  timeoutMs?: number;
}

const MAX_UPSERT_BATCH = 100;
/** Pinecone refuses requests over 2 MB; leave room for the JSON envelope. */
const MAX_UPSERT_BATCH_BYTES = 1_500_000;
const MAX_DELETE_BATCH = 1000;
const LIST_PAGE_LIMIT = 100;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_MESSAGE_LENGTH = 400;

// ---------------------------------------------------------------- per-call response capture

interface CallContext {
  status?: number;
  retryAfterSeconds?: number;
  serverMessage?: string;
  /** Set to capture the JSON body of the successful response (fields the client drops). */
  captureBody?: boolean;
  body?: unknown;
}

const callContext = new AsyncLocalStorage<CallContext>();

function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: { message?: unknown } };
    const message = parsed.message ?? parsed.error?.message;
    if (typeof message === "string") return message;
  } catch {
    // not JSON: the raw text is the message
  }
  return text;
}

async function record(context: CallContext, response: Response): Promise<void> {
  context.status = response.status;
  if (response.ok) {
    if (context.captureBody) context.body = await response.clone().json();
    return;
  }
  const askedMs = retryAfterMs(response.headers);
  context.retryAfterSeconds = askedMs === undefined ? undefined : Math.ceil(askedMs / 1000);
  context.serverMessage = messageOf(await response.clone().text());
}

function createRecordingFetch(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const context = callContext.getStore();
    if (context) context.status = undefined;
    const response = await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
    if (context) await record(context, response);
    return response;
  };
}

// ---------------------------------------------------------------- error mapping

function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current;
}

const PERMANENT_CLIENT_ERRORS = new Set(["PineconeArgumentError", "PineconeConfigurationError"]);

function toDomainError(error: unknown, operation: string, context: CallContext, apiKey: string): Error {
  if (error instanceof PermanentError || error instanceof RetryableError) return error;
  const name = error instanceof Error ? error.name : "Error";
  const status = context.status;
  if (status !== undefined && status >= 400) {
    const message = safeOneLine(
      `Pinecone ${operation} failed: HTTP ${status}: ${context.serverMessage ?? name}`,
      [apiKey],
      MAX_MESSAGE_LENGTH,
    );
    if (status === 429 || status >= 500) {
      return new RetryableError(message, { cause: error, retryAfterSeconds: context.retryAfterSeconds });
    }
    return new PermanentError(message, { cause: error });
  }
  const cause = rootCause(error);
  const detail =
    cause === error ? "" : `: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`;
  const reason = error instanceof Error ? `${name}: ${error.message}` : String(error);
  const message = safeOneLine(
    `Pinecone ${operation} failed: ${reason}${detail}`,
    [apiKey],
    MAX_MESSAGE_LENGTH,
  );
  // Without an HTTP status the request never got an answer (network, timeout): worth another try.
  if (PERMANENT_CLIENT_ERRORS.has(name)) return new PermanentError(message, { cause: error });
  return new RetryableError(message, { cause: error });
}

// ---------------------------------------------------------------- batching

function upsertBatches(records: VectorRecord[], maxCount: number): VectorRecord[][] {
  const batches: VectorRecord[][] = [];
  let current: VectorRecord[] = [];
  let bytes = 0;
  for (const item of records) {
    const size = Buffer.byteLength(JSON.stringify(item));
    if (current.length > 0 && (current.length >= maxCount || bytes + size > MAX_UPSERT_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------- the adapter

/** Counts one request into the caller's meter (retries inside the client are not seen: API calls). */
function count(meter: RequestMeter | undefined, kind: "read" | "write"): void {
  if (meter === undefined) return;
  if (kind === "read") meter.pineconeReads += 1;
  else meter.pineconeWrites += 1;
}

/** What the Pinecone client is configured with; every call's response is recorded for errors. */
function createClient(options: Omit<PineconeVectorIndexOptions, "indexHost">) {
  const config: PineconeConfiguration = {
    apiKey: options.apiKey,
    ...(options.controllerHostUrl ? { controllerHostUrl: options.controllerHostUrl } : {}),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
    fetchApi: createRecordingFetch(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  };
  return {
    index: (target: { host: string; namespace?: string }) => new Index<RecordMetadata>(target, config),
    inference: new Inference(config),
  };
}

/** Runs one client call with its own response capture, mapping failures to domain errors. */
async function call<T>(
  operation: string,
  apiKey: string,
  run: () => Promise<T>,
  context: CallContext = {},
): Promise<T> {
  try {
    return await callContext.run(context, run);
  } catch (error) {
    throw toDomainError(error, operation, context, apiKey);
  }
}

export function createPineconeVectorIndex(options: PineconeVectorIndexOptions): VectorIndex {
  const pc = createClient(options);
  const batchSize = Math.min(Math.max(1, options.upsertBatchSize ?? MAX_UPSERT_BATCH), MAX_UPSERT_BATCH);
  const { apiKey } = options;
  const indexFor = (namespace: string) => pc.index({ host: options.indexHost, namespace });

  return {
    async upsert(namespace, records, meter) {
      const index = indexFor(namespace);
      for (const batch of upsertBatches(records, batchSize)) {
        count(meter, "write");
        await call("upsert", apiKey, () =>
          index.upsert({
            records: batch.map(({ id, values, metadata }) => ({ id, values, metadata: { ...metadata } })),
          }),
        );
      }
    },

    async deleteIds(namespace, ids, meter) {
      const unique = [...new Set(ids)];
      // Rule 6: an empty list must never reach Pinecone, where a delete without ids could mean more.
      if (unique.length === 0) return 0;
      const index = indexFor(namespace);
      for (const chunk of chunks(unique, MAX_DELETE_BATCH)) {
        count(meter, "write");
        await call("delete", apiKey, () => index.deleteMany({ ids: chunk }));
      }
      return unique.length;
    },

    async listIds(namespace, prefix, meter) {
      const index = indexFor(namespace);
      const ids: string[] = [];
      let paginationToken: string | undefined;
      do {
        const token = paginationToken;
        count(meter, "read");
        const page = await call("list", apiKey, () =>
          index.listPaginated({
            prefix,
            limit: LIST_PAGE_LIMIT,
            ...(token ? { paginationToken: token } : {}),
          }),
        );
        for (const item of page.vectors ?? []) if (item.id) ids.push(item.id);
        paginationToken = page.pagination?.next;
        if (paginationToken !== undefined && paginationToken === token) {
          throw new PermanentError("Pinecone list failed: the pagination token did not advance");
        }
      } while (paginationToken);
      return ids;
    },

    async query(namespace, vector, { topK, filter }, meter) {
      const index = indexFor(namespace);
      count(meter, "read");
      const response = await call("query", apiKey, () =>
        index.query({ vector, topK, includeMetadata: true, ...(filter ? { filter } : {}) }),
      );
      return response.matches.map(
        (match): VectorMatch => ({
          id: match.id,
          score: match.score ?? 0,
          metadata: match.metadata as VectorMetadata | undefined,
        }),
      );
    },
  };
}

/**
 * The index's dimension and metric from the data plane's describe_index_stats (for the cold-start
 * dimension check). The client drops `metric` from that answer, so it is read from the raw response.
 */
export async function describePineconeIndex(
  options: PineconeVectorIndexOptions,
): Promise<{ dimension: number; metric: string }> {
  const index = createClient(options).index({ host: options.indexHost });
  const context: CallContext = { captureBody: true };
  const stats = await call("describe_index_stats", options.apiKey, () => index.describeIndexStats(), context);
  if (stats.dimension === undefined) {
    throw new PermanentError("Pinecone describe_index_stats failed: the answer names no dimension");
  }
  const metric = (context.body as { metric?: unknown } | undefined)?.metric;
  return { dimension: stats.dimension, metric: typeof metric === "string" ? metric : "unknown" };
}

/**
 * The client with this adapter's response capture, and the call wrapper that maps its failures to
 * RetryableError / PermanentError: shared with the Pinecone Inference embedder (lib/embedding).
 */
export { call as callPinecone, createClient as createPineconeClient };
