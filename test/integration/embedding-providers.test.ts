/**
 * Each embedding provider's real client against its stand-in over HTTP on 127.0.0.1: batching within
 * the API's limits, the query input type, retries that honour Retry-After, and a bad key that fails
 * fast, permanently, with a one-line reason that never contains the key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBedrockEmbedder } from "../../lib/adapters/aws/bedrock-embedder.js";
import { createOpenAiEmbedder } from "../../lib/adapters/openai/openai-embedder.js";
import { createPineconeEmbedder } from "../../lib/adapters/pinecone/pinecone-embedder.js";
import { resolveSelection } from "../../lib/shared/embedding-models.js";
import { PermanentError, RetryableError } from "../../lib/shared/errors.js";
import { type BedrockStandIn, startBedrockStandIn } from "../../local/bedrock-standin.js";
import { type OpenAiStandIn, startOpenAiStandIn } from "../../local/openai-standin.js";
import { type PineconeStandIn, startPineconeServer } from "../../local/pinecone-server.js";

const texts = (count: number, topic = "runbook") =>
  Array.from(
    { length: count },
    (_, i) => `${topic} paragraph ${i}: restart the worker, then page the on-call.`,
  );

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

/** A permanent, one-line reason that names neither the key nor any part the server echoed. */
function expectSafeRejection(error: Error, secret: string) {
  expect(error).toBeInstanceOf(PermanentError);
  expect(error.message).not.toContain("\n");
  expect(error.message).not.toContain(secret);
  expect(error.message).not.toContain(secret.slice(-4));
}

describe("Pinecone Inference", () => {
  const API_KEY = "pcsk-test-key-0123456789";
  let server: PineconeStandIn;
  const waits: number[] = [];
  const embedder = (model = "multilingual-e5-large", dimension?: number, apiKey = API_KEY) =>
    createPineconeEmbedder({
      apiKey,
      controllerHostUrl: server.url,
      selection: resolveSelection("pinecone", model, dimension),
      retry: { sleep: async (ms) => void waits.push(ms) },
    });

  beforeAll(async () => {
    server = await startPineconeServer({ dimension: 1024, apiKey: API_KEY });
  });
  afterAll(async () => {
    await server.close();
  });

  it("embeds passages in batches of at most 96, and queries with the query input type", async () => {
    const result = await embedder().embedDocuments(texts(200));
    expect(result.vectors).toHaveLength(200);
    expect(result.vectors.every((vector) => vector.length === 1024)).toBe(true);
    expect(server.embedCalls().map((call) => [call.inputs, call.inputType])).toEqual([
      [96, "passage"],
      [96, "passage"],
      [8, "passage"],
    ]);
    expect(result).toMatchObject({ embedded: 200, cached: 0, requests: 3 });
    expect(result.tokens).toBe(server.embedCalls().reduce((sum, call) => sum + call.tokens, 0));

    const query = await embedder().embedQuery(texts(1)[0] as string);
    expect(server.embedCalls().at(-1)).toMatchObject({ inputType: "query", inputs: 1 });
    expect(query).not.toEqual(result.vectors[0]);
  });

  it("asks llama-text-embed-v2 for the configured dimension", async () => {
    const result = await embedder("llama-text-embed-v2", 384).embedDocuments(["one", "two"]);
    expect(result.vectors.map((vector) => vector.length)).toEqual([384, 384]);
  });

  it("retries 429 and 5xx, waiting what Retry-After asks", async () => {
    waits.length = 0;
    server.faults.failNextEmbed(1, 429, 2);
    server.faults.failNextEmbed(1, 503);
    const result = await embedder().embedDocuments(["after the storm"]);
    expect(result).toMatchObject({ embedded: 1, requests: 3 });
    expect(waits[0]).toBe(2000);
    expect(waits).toHaveLength(2);
  });

  it("hands back a Retry-After longer than it will wait, for the queue to redeliver later", async () => {
    server.faults.failNextEmbed(1, 429, 3600);
    const error = await caught(embedder().embedDocuments(["later"]));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterSeconds).toBe(3600);
  });

  it("fails fast on a bad key", async () => {
    const badKey = "pcsk-wrong-key-9876543210";
    const before = server.requestCounts()["POST /embed"] ?? 0;
    const error = await caught(embedder(undefined, undefined, badKey).embedDocuments(["x"]));
    expectSafeRejection(error, badKey);
    expect(error.message).toMatch(/HTTP 401/);
    expect((server.requestCounts()["POST /embed"] ?? 0) - before).toBe(1);
  });
});

describe("OpenAI", () => {
  const API_KEY = "sk-test-0123456789abcdef";
  let server: OpenAiStandIn;
  const embedder = (model = "text-embedding-3-small", dimension?: number, apiKey = API_KEY) =>
    createOpenAiEmbedder({
      apiKey,
      baseURL: server.url,
      selection: resolveSelection("openai", model, dimension),
      maxRetryWaitMs: 1000,
    });

  beforeAll(async () => {
    server = await startOpenAiStandIn({ apiKey: API_KEY });
  });
  afterAll(async () => {
    await server.close();
  });

  it("embeds with the dimensions option, in requests of at most 2048 texts", async () => {
    const result = await embedder("text-embedding-3-small", 256).embedDocuments(texts(2100));
    expect(result.vectors).toHaveLength(2100);
    expect(result.vectors[0]).toHaveLength(256);
    expect(server.calls().map((call) => [call.inputs, call.dimensions, call.encodingFormat])).toEqual([
      [2048, 256, "base64"],
      [52, 256, "base64"],
    ]);
    expect(result.tokens).toBe(server.calls().reduce((sum, call) => sum + call.tokens, 0));
    expect(result.requests).toBe(2);
    // OpenAI has no query mode: a query is embedded as the same text would be.
    expect(await embedder("text-embedding-3-small", 256).embedQuery(texts(1)[0] as string)).toEqual(
      result.vectors[0],
    );
  });

  it("sends no dimensions to ada-002, which cannot take them", async () => {
    const result = await embedder("text-embedding-ada-002").embedDocuments(["plain"]);
    expect(result.vectors[0]).toHaveLength(1536);
    expect(server.calls().at(-1)?.dimensions).toBeUndefined();
  });

  it("lets the client retry 429 and 5xx as the server asks", async () => {
    server.faults.failNext(1, { status: 429, retryAfterMs: 20 });
    server.faults.failNext(1, { status: 500, retryAfterSeconds: 0.02 });
    const before = server.requestCount();
    const result = await embedder().embedDocuments(["after the storm"]);
    expect(server.requestCount() - before).toBe(3);
    expect(result.requests).toBe(3);
  });

  it("does not sit out a Retry-After over the cap: a RetryableError carries it instead", async () => {
    server.faults.failNext(1, { status: 429, retryAfterSeconds: 3600 });
    const before = server.requestCount();
    const error = await caught(embedder().embedDocuments(["later"]));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterSeconds).toBe(3600);
    expect(server.requestCount() - before).toBe(1);
  });

  it("fails fast on a bad key, and on an exhausted quota", async () => {
    const badKey = "sk-wrong-fedcba9876543210";
    const before = server.requestCount();
    const error = await caught(embedder(undefined, undefined, badKey).embedDocuments(["x"]));
    expectSafeRejection(error, badKey);
    expect(error.message).toBe(
      "OpenAI rejected the API key (HTTP 401 invalid_api_key): check OPENAI_API_KEY",
    );
    expect(server.requestCount() - before).toBe(1);

    server.faults.failNext(1, { status: 429, code: "insufficient_quota" });
    expect(await caught(embedder().embedDocuments(["x"]))).toBeInstanceOf(PermanentError);
  });
});

describe("Bedrock (Titan Text Embeddings v2)", () => {
  const credentials = { accessKeyId: "AKIATESTSTANDIN0001", secretAccessKey: "secret-test-value-0123456789" };
  let server: BedrockStandIn;
  const embedder = (dimension = 512, accessKeyId = credentials.accessKeyId) =>
    createBedrockEmbedder({
      region: "eu-west-1",
      endpoint: server.url,
      credentials: { ...credentials, accessKeyId },
      selection: resolveSelection("bedrock", undefined, dimension),
    });

  beforeAll(async () => {
    server = await startBedrockStandIn({ accessKeyId: credentials.accessKeyId, region: "eu-west-1" });
  });
  afterAll(async () => {
    await server.close();
  });

  it("embeds one text per InvokeModel at the configured dimension, counting Titan's tokens", async () => {
    const result = await embedder().embedDocuments(texts(20));
    expect(result.vectors).toHaveLength(20);
    expect(result.vectors.every((vector) => vector.length === 512)).toBe(true);
    expect(server.calls()).toHaveLength(20);
    expect(server.calls().every((call) => call.dimensions === 512)).toBe(true);
    expect(result.tokens).toBe(server.calls().reduce((sum, call) => sum + call.tokens, 0));
    expect(result.requests).toBe(20);
    expect(await embedder().embedQuery(texts(1)[0] as string)).toEqual(result.vectors[0]);
  });

  it("lets the SDK retry throttling", async () => {
    server.faults.failNext(1, { status: 429, errorType: "ThrottlingException", retryAfterSeconds: 0 });
    const before = server.requestCount();
    const result = await embedder().embedDocuments(["after the storm"]);
    expect(server.requestCount() - before).toBe(2);
    expect(result.requests).toBe(2);
  });

  it("fails fast on bad credentials", async () => {
    const before = server.requestCount();
    const error = await caught(embedder(512, "wrong-access-key-id").embedDocuments(["x"]));
    expectSafeRejection(error, credentials.secretAccessKey);
    expect(error.message).toMatch(
      /Bedrock rejected the credentials \(HTTP 403 UnrecognizedClientException\)/,
    );
    expect(server.requestCount() - before).toBe(1);
  });
});
