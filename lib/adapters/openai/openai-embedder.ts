/**
 * OpenAI embeddings through the official `openai` client: `text-embedding-3-small` / `-large` with the
 * `dimensions` option (ada-002 without it); batches within 2048 texts and 300k tokens per request
 * (counted with cl100k_base, the models' own encoding).
 *
 * Retries are the client's own (429, 408, 409, 5xx and connection errors, honouring `retry-after-ms` /
 * `Retry-After`). The client sits out any Retry-After however long, so its fetch is wrapped: an answer
 * asking for more than `maxRetryWaitMs` is marked `x-should-retry: false` and comes back at once as a
 * RetryableError carrying the wait, for the queue to redeliver later; a 429 `insufficient_quota`
 * (billing, not load) is not retried either and becomes a PermanentError.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import OpenAI from "openai";
import { countTokens } from "../../chunking/tokenizer.js";
import { retryAfterMs } from "../../core/retry-after.js";
import { safeOneLine } from "../../core/safe-text.js";
import { planBatches } from "../../embedding/batches.js";
import { checkVectors } from "../../embedding/check-vectors.js";
import type { MeteredEmbedder } from "../../embedding/usage.js";
import { type EmbeddingSelection, hasDimensionOption } from "../../shared/embedding-models.js";
import { EmbeddingAccessError, PermanentError, RetryableError } from "../../shared/errors.js";

export interface OpenAiEmbedderOptions {
  apiKey: string;
  /** `https://api.openai.com/v1` by default; a proxy, Azure-compatible gateway or the stand-in. */
  baseURL?: string;
  selection: EmbeddingSelection;
  /** Retries by the client itself (its default is 2). */
  maxRetries?: number;
  /** Longest Retry-After the client may sit out in-process. */
  maxRetryWaitMs?: number;
  timeoutMs?: number;
}

const DEFAULT_MAX_RETRIES = 4;
const DEFAULT_MAX_RETRY_WAIT_MS = 20_000;
const DEFAULT_TIMEOUT_MS = 30_000;

/** HTTP requests made within one embedder call (retries included), for the usage figures. */
const requestCounter = new AsyncLocalStorage<{ requests: number }>();

/** True when the client should not retry this answer in-process (see the module comment). */
async function notWorthRetrying(response: Response, maxRetryWaitMs: number): Promise<boolean> {
  if (response.ok) return false;
  const wait = secondsOf(retryAfterMs(response.headers));
  if (wait !== undefined && wait * 1000 > maxRetryWaitMs) return true;
  // An exhausted quota is also a 429, but no retry can fix it.
  return response.status === 429 && (await response.clone().text()).includes("insufficient_quota");
}

function cappedRetryFetch(maxRetryWaitMs: number): typeof fetch {
  return async (input, init) => {
    const counter = requestCounter.getStore();
    if (counter) counter.requests += 1;
    const response = await fetch(input, init);
    if (!(await notWorthRetrying(response, maxRetryWaitMs))) return response;
    const headers = new Headers(response.headers);
    headers.set("x-should-retry", "false");
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

function serverMessage(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === "string" ? body.message : error.message;
}

/** One line, never the key: the server's own 401 text quotes part of it, so auth errors use ours. */
function toDomainError(error: unknown, apiKey: string): Error {
  if (!(error instanceof OpenAI.APIError)) return error instanceof Error ? error : new Error(String(error));
  const status = error.status;
  const code = error.code ? ` ${error.code}` : "";
  if (status === 401 || status === 403) {
    return new EmbeddingAccessError(
      `OpenAI rejected the API key (HTTP ${status}${code}): check OPENAI_API_KEY`,
    );
  }
  if (status === undefined) {
    // No answer at all (connection refused, timeout): another attempt may get one.
    return new RetryableError(safeOneLine(`OpenAI embeddings failed: ${error.message}`, [apiKey]));
  }
  const message = safeOneLine(`OpenAI embeddings failed: HTTP ${status}${code}: ${serverMessage(error)}`, [
    apiKey,
  ]);
  // An exhausted quota is a billing matter: retrying cannot help.
  if (status === 429 && error.code === "insufficient_quota") return new EmbeddingAccessError(message);
  if (status === 408 || status === 409 || status === 429 || status >= 500) {
    return new RetryableError(message, {
      cause: error,
      retryAfterSeconds: secondsOf(retryAfterMs(error.headers)),
    });
  }
  return new PermanentError(message, { cause: error });
}

export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): MeteredEmbedder {
  const { apiKey, selection } = options;
  const { model, dimension, spec } = selection;
  const client = new OpenAI({
    apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: cappedRetryFetch(options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS),
  });

  async function embedBatch(input: string[]) {
    try {
      const response = await client.embeddings.create({
        model,
        input,
        ...(hasDimensionOption(spec) ? { dimensions: dimension } : {}),
      });
      // The API may list embeddings in any order: each one carries its input's index.
      const ordered = new Array<number[] | undefined>(input.length);
      for (const item of response.data) ordered[item.index] = item.embedding;
      const vectors = checkVectors(ordered, {
        count: input.length,
        dimension,
        source: `OpenAI embeddings (${model})`,
      });
      return { vectors, tokens: response.usage?.prompt_tokens ?? 0 };
    } catch (error) {
      throw toDomainError(error, apiKey);
    }
  }

  return {
    provider: "openai",
    model,
    dimension,
    async embedDocuments(texts) {
      const counter = { requests: 0 };
      return requestCounter.run(counter, async () => {
        const vectors: number[][] = new Array(texts.length);
        let tokens = 0;
        for (const batch of planBatches(texts, spec, countTokens)) {
          const result = await embedBatch(batch.map((position) => texts[position] as string));
          batch.forEach((position, i) => {
            vectors[position] = result.vectors[i] as number[];
          });
          tokens += result.tokens;
        }
        return { vectors, embedded: texts.length, cached: 0, tokens, requests: counter.requests };
      });
    },
    async embedQuery(text) {
      // OpenAI's models have no separate query mode: a query is embedded like any text.
      const result = await embedBatch([text]);
      return result.vectors[0] as number[];
    },
  };
}

function secondsOf(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}
