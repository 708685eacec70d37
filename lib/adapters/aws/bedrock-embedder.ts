/**
 * Amazon Titan Text Embeddings v2 on Bedrock (`InvokeModel`, one text per request, a few in flight),
 * through `@aws-sdk/client-bedrock-runtime`. Vectors are normalised (`normalize: true`) at the
 * configured dimension (256, 512 or 1024). Titan has no query mode: queries embed like passages.
 *
 * Retries are the SDK's own (standard mode: throttling, 5xx and timeouts, with backoff that honours
 * Retry-After up to a few seconds more than its own delay); `maxAttempts` bounds them.
 */
import { BedrockRuntimeClient, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { safeOneLine } from "../../core/safe-text.js";
import { mapWithConcurrency } from "../../embedding/batches.js";
import { checkVectors } from "../../embedding/check-vectors.js";
import type { MeteredEmbedder } from "../../embedding/usage.js";
import type { EmbeddingSelection } from "../../shared/embedding-models.js";
import { EmbeddingAccessError, PermanentError, RetryableError } from "../../shared/errors.js";

export interface BedrockEmbedderOptions {
  region: string;
  /** Only for a stand-in or a VPC endpoint; AWS resolves Bedrock's own otherwise. */
  endpoint?: string;
  /** Explicit credentials (tests); the default provider chain (the Lambda role) otherwise. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  selection: EmbeddingSelection;
  /** Attempts per request, the first included (SDK default 3). */
  maxAttempts?: number;
  /** InvokeModel requests in flight at once. */
  concurrency?: number;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_CONCURRENCY = 8;

/** Errors that another attempt cannot fix: credentials, permissions, the request itself. */
const PERMANENT_ERRORS = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "AccessDeniedException",
  "ExpiredTokenException",
  "ValidationException",
  "ResourceNotFoundException",
  "ServiceQuotaExceededException",
  "CredentialsProviderError",
]);
const CREDENTIAL_ERRORS = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "ExpiredTokenException",
  "CredentialsProviderError",
]);

interface TitanAnswer {
  embedding?: number[];
  inputTextTokenCount?: number;
}

function toDomainError(error: unknown, secrets: (string | undefined)[]): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = error.name;
  if (CREDENTIAL_ERRORS.has(name)) {
    return new EmbeddingAccessError(
      `Bedrock rejected the credentials (${status ? `HTTP ${status} ` : ""}${name}): check the function's AWS credentials`,
    );
  }
  const message = safeOneLine(
    `Bedrock InvokeModel failed: ${status ? `HTTP ${status} ` : ""}${name}: ${error.message}`,
    secrets,
  );
  if (
    PERMANENT_ERRORS.has(name) ||
    (status !== undefined && status >= 400 && status < 500 && status !== 429)
  ) {
    return new PermanentError(message, { cause: error });
  }
  return new RetryableError(message, { cause: error });
}

export function createBedrockEmbedder(options: BedrockEmbedderOptions): MeteredEmbedder {
  const { selection } = options;
  const { model, dimension } = selection;
  const client = new BedrockRuntimeClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  });
  const secrets = [options.credentials?.secretAccessKey, options.credentials?.sessionToken];
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;

  async function embedOne(text: string) {
    try {
      const output = await client.send(
        new InvokeModelCommand({
          modelId: model,
          contentType: "application/json",
          accept: "application/json",
          body: JSON.stringify({ inputText: text, dimensions: dimension, normalize: true }),
        }),
      );
      const answer = JSON.parse(new TextDecoder().decode(output.body)) as TitanAnswer;
      return {
        vector: answer.embedding,
        tokens: answer.inputTextTokenCount ?? 0,
        requests: output.$metadata.attempts ?? 1,
      };
    } catch (error) {
      throw toDomainError(error, secrets);
    }
  }

  async function embedAll(texts: string[]) {
    const results = await mapWithConcurrency(texts, concurrency, embedOne);
    const vectors = checkVectors(
      results.map((result) => result.vector),
      { count: texts.length, dimension, source: `Bedrock InvokeModel (${model})` },
    );
    return {
      vectors,
      tokens: results.reduce((sum, result) => sum + result.tokens, 0),
      requests: results.reduce((sum, result) => sum + result.requests, 0),
    };
  }

  return {
    provider: "bedrock",
    model,
    dimension,
    async embedDocuments(texts) {
      const { vectors, tokens, requests } = await embedAll(texts);
      return { vectors, embedded: texts.length, cached: 0, tokens, requests };
    },
    async embedQuery(text) {
      const { vectors } = await embedAll([text]);
      return vectors[0] as number[];
    },
  };
}
