/**
 * A stand-in for Bedrock Runtime's `InvokeModel` with Amazon Titan Text Embeddings v2, on 127.0.0.1,
 * for the real `@aws-sdk/client-bedrock-runtime` client pointed at it with `endpoint: standIn.url`.
 * Served over cleartext HTTP/2, since that client sends every request over HTTP/2.
 *
 * `POST /model/{modelId}/invoke` as the service answers it (REST-JSON): the SigV4 `Authorization`
 * header must carry the expected access key id and a `…/{region}/bedrock/aws4_request` scope (the
 * signature itself is not recomputed), else 403 `UnrecognizedClientException`; the body
 * `{inputText, dimensions (256 | 512 | 1024), normalize, embeddingTypes}` gives
 * `{embedding, embeddingsByType, inputTextTokenCount}`. Errors carry `x-amzn-errortype` and a
 * `{message}` body, which is how the SDK names them. Injected faults may send `Retry-After`.
 */
import { countTokens } from "../lib/chunking/tokenizer.js";
import { hashEmbedding } from "../lib/embedding/feature-hash.js";
import { asRecord, type JsonRequest, readJson, sendJson, startJsonServer } from "./json-http.js";

export const TITAN_V2 = "amazon.titan-embed-text-v2:0";

export interface BedrockStandInOptions {
  accessKeyId: string;
  region: string;
  port?: number;
}

export interface BedrockFault {
  status: number;
  errorType: string;
  retryAfterSeconds?: number;
}

export interface BedrockStandIn {
  url: string;
  close(): Promise<void>;
  /** Every HTTP request received, failures and retries included. */
  requestCount(): number;
  /** Every embedding answered with 200, in order. */
  calls(): { modelId: string; dimensions: number; tokens: number }[];
  faults: { failNext(count: number, fault: BedrockFault): void };
}

const DIMENSIONS = [256, 512, 1024];
const MAX_TOKENS = 8192;
const MAX_CHARACTERS = 50_000;

class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const validation = (message: string) => new ServiceError(400, "ValidationException", message);

function authorize(req: JsonRequest, options: BedrockStandInOptions): void {
  const header = req.headers.authorization ?? "";
  const scope = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/bedrock\/aws4_request,/.exec(header);
  if (!scope || scope[1] !== options.accessKeyId || !req.headers["x-amz-date"]) {
    throw new ServiceError(
      403,
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  }
  if (scope[2] !== options.region) {
    throw new ServiceError(
      403,
      "InvalidSignatureException",
      `Credential should be scoped to a valid region.`,
    );
  }
}

function embed(modelId: string, body: unknown): { answer: unknown; dimensions: number; tokens: number } {
  if (modelId !== TITAN_V2) throw validation("The provided model identifier is invalid.");
  const request = asRecord(body);
  const text = request?.inputText;
  if (typeof text !== "string" || text.length === 0) {
    throw validation(
      "Malformed input request: #/inputText: expected minLength: 1, please reformat your input and try again.",
    );
  }
  const dimensions = request?.dimensions ?? 1024;
  if (typeof dimensions !== "number" || !DIMENSIONS.includes(dimensions)) {
    throw validation(
      `Malformed input request: #/dimensions: ${String(dimensions)} is not a valid enum value`,
    );
  }
  const tokens = countTokens(text);
  if (tokens > MAX_TOKENS || text.length > MAX_CHARACTERS) {
    throw validation(
      `400 Bad Request: Too many input tokens. Max input tokens: ${MAX_TOKENS}, request input token count: ${tokens}`,
    );
  }
  const unit = hashEmbedding(text, dimensions);
  // Without normalize, Titan's vectors are not unit length; any fixed scale shows the difference.
  const embedding = request?.normalize === false ? unit.map((value) => value * 3) : unit;
  return {
    answer: { embedding, embeddingsByType: { float: embedding }, inputTextTokenCount: tokens },
    dimensions,
    tokens,
  };
}

export async function startBedrockStandIn(options: BedrockStandInOptions): Promise<BedrockStandIn> {
  const calls: { modelId: string; dimensions: number; tokens: number }[] = [];
  const pending: BedrockFault[] = [];
  let requests = 0;

  const server = await startJsonServer(
    async (req, res) => {
      requests += 1;
      const body = await readJson(req);
      const requestId = `req-${requests}`;
      try {
        const route = /^\/model\/([^/]+)\/invoke$/.exec(req.url?.split("?")[0] ?? "");
        if (req.method !== "POST" || !route) {
          throw new ServiceError(
            404,
            "UnknownOperationException",
            `No operation at ${req.method} ${req.url}`,
          );
        }
        authorize(req, options);
        const fault = pending.shift();
        if (fault) {
          throw Object.assign(
            new ServiceError(fault.status, fault.errorType, `Injected fault: ${fault.errorType}`),
            {
              retryAfterSeconds: fault.retryAfterSeconds,
            },
          );
        }
        const modelId = decodeURIComponent(route[1] ?? "");
        const result = embed(modelId, body);
        calls.push({ modelId, dimensions: result.dimensions, tokens: result.tokens });
        sendJson(res, 200, result.answer, {
          "x-amzn-requestid": requestId,
          "x-amzn-bedrock-input-token-count": String(result.tokens),
        });
      } catch (error) {
        const failure =
          error instanceof ServiceError
            ? error
            : new ServiceError(500, "InternalServerException", String(error));
        const retryAfter = (failure as { retryAfterSeconds?: number }).retryAfterSeconds;
        sendJson(
          res,
          failure.status,
          { message: failure.message },
          {
            "x-amzn-errortype": failure.errorType,
            "x-amzn-requestid": requestId,
            ...(retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }),
          },
        );
      }
    },
    { ...options, http2: true },
  );

  return {
    url: server.origin,
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
