/**
 * A stand-in for OpenAI's embeddings endpoint, on 127.0.0.1, for the real `openai` client pointed at
 * it with `baseURL: standIn.url` (which ends in `/v1`, as the public base URL does).
 *
 * `POST /v1/embeddings` as the API answers it: Bearer auth (a wrong key is a 401 `invalid_api_key`
 * whose message quotes a masked key, as OpenAI's does), `input` as a string or a list of strings,
 * `dimensions` (the -3 models only), `encoding_format` `float` or `base64` (the client asks for base64
 * by default and decodes it), and the documented limits: 2048 inputs, 8192 tokens per input and
 * 300,000 tokens per request, counted with cl100k_base. Injected faults answer any status with
 * `retry-after` / `retry-after-ms` headers, as the client's retry logic reads them.
 */
import { countTokens } from "../lib/chunking/tokenizer.js";
import { hashEmbedding, normalise } from "../lib/embedding/feature-hash.js";
import {
  asRecord,
  type JsonRequest,
  type JsonResponse,
  readJson,
  sendJson,
  startJsonServer,
} from "./json-http.js";

export interface OpenAiStandInOptions {
  apiKey: string;
  port?: number;
}

export interface OpenAiFault {
  status: number;
  code?: string;
  retryAfterSeconds?: number;
  retryAfterMs?: number;
}

export interface OpenAiEmbeddingCall {
  model: string;
  inputs: number;
  dimensions: number | undefined;
  encodingFormat: string;
  tokens: number;
}

export interface OpenAiStandIn {
  /** The client's `baseURL`: `http://127.0.0.1:PORT/v1`. */
  url: string;
  close(): Promise<void>;
  /** Every HTTP request received, failures and retries included. */
  requestCount(): number;
  /** Every embeddings request answered with 200, in order. */
  calls(): OpenAiEmbeddingCall[];
  faults: { failNext(count: number, fault: OpenAiFault): void };
}

const MODELS: Record<string, { dimension: number; shortens: boolean }> = {
  "text-embedding-3-small": { dimension: 1536, shortens: true },
  "text-embedding-3-large": { dimension: 3072, shortens: true },
  "text-embedding-ada-002": { dimension: 1536, shortens: false },
};
const MAX_INPUTS = 2048;
const MAX_INPUT_TOKENS = 8192;
const MAX_REQUEST_TOKENS = 300_000;

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

function maskKey(key: string): string {
  return key.length <= 8
    ? "*".repeat(key.length)
    : `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}`;
}

function authorize(req: JsonRequest, apiKey: string): void {
  const header = req.headers.authorization ?? "";
  if (!header.startsWith("Bearer ")) {
    throw new ApiError(401, "You didn't provide an API key.", "invalid_request_error", "missing_api_key");
  }
  const given = header.slice("Bearer ".length);
  if (given !== apiKey) {
    throw new ApiError(
      401,
      `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      "invalid_request_error",
      "invalid_api_key",
    );
  }
}

function parseInputs(raw: unknown): string[] {
  const inputs = typeof raw === "string" ? [raw] : raw;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((item) => typeof item === "string")) {
    throw new ApiError(
      400,
      "'$.input' is invalid. Please check the API reference.",
      undefined,
      null,
      "input",
    );
  }
  if (inputs.length > MAX_INPUTS) {
    throw new ApiError(400, `'$.input' is too long: at most ${MAX_INPUTS} inputs`, undefined, null, "input");
  }
  if (inputs.some((text) => text === "")) {
    throw new ApiError(
      400,
      "'$.input' is invalid: inputs must not be empty strings",
      undefined,
      null,
      "input",
    );
  }
  return inputs;
}

function parseDimensions(raw: unknown, model: string, native: number, shortens: boolean): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!shortens)
    throw new ApiError(
      400,
      "This model does not support specifying dimensions.",
      undefined,
      null,
      "dimensions",
    );
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 1 || raw > native) {
    throw new ApiError(
      400,
      `dimensions must be an integer from 1 to ${native} for ${model}`,
      undefined,
      null,
      "dimensions",
    );
  }
  return raw;
}

/** The shortened vector the -3 models give: the first `dimensions` values, normalised again. */
function embed(text: string, native: number, dimensions: number | undefined): number[] {
  const full = hashEmbedding(text, native);
  return dimensions === undefined ? full : normalise(full.slice(0, dimensions));
}

function encode(vector: number[], format: string): number[] | string {
  return format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
}

function answer(body: unknown, calls: OpenAiEmbeddingCall[]): unknown {
  const request = asRecord(body);
  if (!request) throw new ApiError(400, "We could not parse the JSON body of your request.");
  const model = request.model;
  const spec = typeof model === "string" ? MODELS[model] : undefined;
  if (typeof model !== "string" || !spec) {
    throw new ApiError(
      404,
      `The model \`${String(model)}\` does not exist or you do not have access to it.`,
      "invalid_request_error",
      "model_not_found",
    );
  }
  const inputs = parseInputs(request.input);
  const dimensions = parseDimensions(request.dimensions, model, spec.dimension, spec.shortens);
  const format = request.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    throw new ApiError(
      400,
      "encoding_format must be 'float' or 'base64'",
      undefined,
      null,
      "encoding_format",
    );
  }
  const counts = inputs.map(countTokens);
  counts.forEach((count) => {
    if (count > MAX_INPUT_TOKENS) {
      throw new ApiError(
        400,
        `This model's maximum context length is ${MAX_INPUT_TOKENS} tokens, however you requested ${count} tokens.`,
      );
    }
  });
  const tokens = counts.reduce((sum, count) => sum + count, 0);
  if (tokens > MAX_REQUEST_TOKENS) {
    throw new ApiError(400, `Requested ${tokens} tokens, max ${MAX_REQUEST_TOKENS} tokens per request`);
  }
  calls.push({ model, inputs: inputs.length, dimensions, encodingFormat: format, tokens });
  return {
    object: "list",
    data: inputs.map((text, index) => ({
      object: "embedding",
      index,
      embedding: encode(embed(text, spec.dimension, dimensions), format),
    })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

function sendError(res: JsonResponse, error: ApiError, headers: Record<string, string> = {}): void {
  const { status, message, type, code, param } = error;
  sendJson(res, status, { error: { message, type, param, code } }, headers);
}

function faultHeaders(fault: OpenAiFault): Record<string, string> {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
  if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
  return headers;
}

export async function startOpenAiStandIn(options: OpenAiStandInOptions): Promise<OpenAiStandIn> {
  const calls: OpenAiEmbeddingCall[] = [];
  const pending: OpenAiFault[] = [];
  let requests = 0;

  const server = await startJsonServer(async (req, res) => {
    requests += 1;
    const body = await readJson(req);
    try {
      if (req.method !== "POST" || req.url?.split("?")[0] !== "/v1/embeddings") {
        throw new ApiError(
          404,
          `Unknown request URL: ${req.method} ${req.url}`,
          "invalid_request_error",
          "unknown_url",
        );
      }
      authorize(req, options.apiKey);
      const fault = pending.shift();
      if (fault) {
        const type = fault.status === 429 ? "requests" : "server_error";
        const code = fault.code ?? (fault.status === 429 ? "rate_limit_exceeded" : null);
        sendError(
          res,
          new ApiError(fault.status, `Injected fault: HTTP ${fault.status}`, type, code),
          faultHeaders(fault),
        );
        return;
      }
      sendJson(res, 200, answer(body, calls), { "x-request-id": `req_${requests}` });
    } catch (error) {
      sendError(res, error instanceof ApiError ? error : new ApiError(500, String(error), "server_error"));
    }
  }, options);

  return {
    url: `${server.origin}/v1`,
    close: () => server.close(),
    requestCount: () => requests,
    calls: () => calls.map((call) => ({ ...call })),
    faults: {
      failNext(count, fault) {
        for (let i = 0; i < count; i++) pending.push(fault);
      },
    },
  };
}
