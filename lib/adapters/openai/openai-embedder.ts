/**
 * OpenAI embeddings over `fetch` (`POST /v1/embeddings`, the one endpoint this project calls):
 * `text-embedding-3-small` / `-large` with the `dimensions` option (ada-002 without it); batches
 * within 2048 texts and 300k tokens per request (counted with cl100k_base, the models' own encoding);
 * vectors asked as base64 float32, as the official client does (a third of the bytes of JSON floats).
 *
 * Retries are the project's one policy (lib/rate-limit/retrying-fetch.ts): 429 and 5xx, as long as
 * the server asks to wait (`retry-after-ms` / `Retry-After`); a longer wait comes back at once as a
 * RetryableError carrying it, for the queue to redeliver later. A 429 `insufficient_quota` (billing,
 * not load) is never retried and becomes an EmbeddingAccessError, as does a refused key.
 *
 * Why not the official `openai` client: it is 147 KB of the index bundle whatever the provider, for
 * one endpoint, and it brings a second retry policy (docs/deploy-and-operate.md, bundle size).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { countTokens } from "../../chunking/tokenizer.js";
import { retryAfterMs } from "../../core/retry-after.js";
import { DEFAULT_RETRY_POLICY } from "../../core/retry-policy.js";
import { safeOneLine } from "../../core/safe-text.js";
import { planBatches } from "../../embedding/batches.js";
import { checkVectors } from "../../embedding/check-vectors.js";
import type { MeteredEmbedder } from "../../embedding/usage.js";
import { retryingFetch } from "../../rate-limit/retrying-fetch.js";
import { type EmbeddingSelection, hasDimensionOption } from "../../shared/embedding-models.js";
import { EmbeddingAccessError, PermanentError, RetryableError } from "../../shared/errors.js";

export interface OpenAiEmbedderOptions {
  apiKey: string;
  /** `https://api.openai.com/v1` by default; a proxy, Azure-compatible gateway or the stand-in. */
  baseURL?: string;
  selection: EmbeddingSelection;
  /** Retries after the first attempt (default 4). */
  maxRetries?: number;
  /** Longest Retry-After sat out in-process. */
  maxRetryWaitMs?: number;
  timeoutMs?: number;
}

const DEFAULT_BASE_URL = "https://api.openai.com/v1";
/** HTTP requests made within one `embedDocuments` call (retries included), for the usage figures. */
const requestCounter = new AsyncLocalStorage<{ requests: number }>();
const DEFAULT_TIMEOUT_MS = 30_000;

interface EmbeddingsAnswer {
  data?: { index?: number; embedding?: string | number[] }[];
  usage?: { prompt_tokens?: number };
}

export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): MeteredEmbedder {
  const { apiKey, selection } = options;
  const { model, dimension, spec } = selection;
  const url = `${(options.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, "")}/embeddings`;
  const counted: typeof fetch = (input, init) => {
    const counter = requestCounter.getStore();
    if (counter) counter.requests += 1;
    return fetch(input, init);
  };
  const send = retryingFetch(
    {
      ...DEFAULT_RETRY_POLICY,
      maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
      maxDelayMs: options.maxRetryWaitMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    },
    counted,
    async (response) => !(await isQuotaExhausted(response)),
  );

  async function embedBatch(input: string[]): Promise<{ vectors: number[][]; tokens: number }> {
    let response: Response;
    try {
      response = await send(url, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          model,
          input,
          encoding_format: "base64",
          ...(hasDimensionOption(spec) ? { dimensions: dimension } : {}),
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      // No answer at all (connection refused, timeout): another attempt may get one.
      const reason = error instanceof Error ? error.message : String(error);
      throw new RetryableError(safeOneLine(`OpenAI embeddings failed: ${reason}`, [apiKey]));
    }
    if (!response.ok) throw await failureOf(response, apiKey);
    const answer = (await response.json()) as EmbeddingsAnswer;
    // The API may list embeddings in any order: each one carries its input's index.
    const ordered = new Array<number[] | undefined>(input.length);
    for (const item of answer.data ?? []) {
      if (typeof item.index === "number") ordered[item.index] = decode(item.embedding);
    }
    const vectors = checkVectors(ordered, {
      count: input.length,
      dimension,
      source: `OpenAI embeddings (${model})`,
    });
    return { vectors, tokens: answer.usage?.prompt_tokens ?? 0 };
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

/** base64 little-endian float32 (what `encoding_format: "base64"` answers), or a plain array. */
function decode(embedding: string | number[] | undefined): number[] | undefined {
  if (Array.isArray(embedding)) return embedding;
  if (typeof embedding !== "string") return undefined;
  const bytes = Buffer.from(embedding, "base64");
  const vector = new Array<number>(Math.floor(bytes.length / 4));
  for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}

async function errorOf(response: Response): Promise<{ message?: string; code?: string }> {
  try {
    const body = (await response.clone().json()) as { error?: { message?: unknown; code?: unknown } };
    return {
      message: typeof body.error?.message === "string" ? body.error.message : undefined,
      code: typeof body.error?.code === "string" ? body.error.code : undefined,
    };
  } catch {
    return {};
  }
}

async function isQuotaExhausted(response: Response): Promise<boolean> {
  return response.status === 429 && (await errorOf(response)).code === "insufficient_quota";
}

/** One line, never the key: the server's own 401 text quotes part of it, so auth errors use ours. */
async function failureOf(response: Response, apiKey: string): Promise<Error> {
  const { status } = response;
  const { message, code } = await errorOf(response);
  const codeText = code ? ` ${code}` : "";
  if (status === 401 || status === 403) {
    return new EmbeddingAccessError(
      `OpenAI rejected the API key (HTTP ${status}${codeText}): check OPENAI_API_KEY`,
    );
  }
  const text = safeOneLine(
    `OpenAI embeddings failed: HTTP ${status}${codeText}: ${message ?? response.statusText}`,
    [apiKey],
  );
  // An exhausted quota is a billing matter: retrying cannot help.
  if (status === 429 && code === "insufficient_quota") return new EmbeddingAccessError(text);
  if (status === 408 || status === 409 || status === 429 || status >= 500) {
    const waitMs = retryAfterMs(response.headers);
    return new RetryableError(text, waitMs === undefined ? undefined : { retryAfterSeconds: waitMs / 1000 });
  }
  return new PermanentError(text);
}
