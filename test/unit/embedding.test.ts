/**
 * The embedding building blocks with hand-written fakes: model selection, batching, retries, the
 * float32 codec, the cache decorator, the dimension check and the per-dataset choice of model.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/composition/config.js";
import { createEmbedderFromConfig, type EmbeddingConfig } from "../../lib/composition/configured-embedder.js";
import { createDatasetEmbedders } from "../../lib/composition/dataset-embedders.js";
import { withRetries } from "../../lib/core/retry-policy.js";
import { planBatches } from "../../lib/embedding/batches.js";
import { withEmbeddingCache } from "../../lib/embedding/cached-embedder.js";
import { embedderReady, withIndexDimensionCheck } from "../../lib/embedding/dimension-check.js";
import { createMemoryEmbeddingCache } from "../../lib/embedding/embedding-cache.js";
import { createLocalEmbedder } from "../../lib/embedding/local-embedder.js";
import type { MeteredEmbedder } from "../../lib/embedding/usage.js";
import { bytesToVector, roundToFloat32, vectorToBytes } from "../../lib/embedding/vector-bytes.js";
import { resolveSelection } from "../../lib/shared/embedding-models.js";
import { ConfigError, PermanentError, RetryableError } from "../../lib/shared/errors.js";

/** The local embedder, recording every batch of texts that reaches it. */
function recordingEmbedder(dimension = 16, model?: string): MeteredEmbedder & { sent: string[][] } {
  const inner = createLocalEmbedder(dimension);
  const sent: string[][] = [];
  return {
    provider: "local",
    model: model ?? inner.model,
    dimension,
    sent,
    async embedDocuments(texts) {
      sent.push([...texts]);
      return inner.embedDocuments(texts);
    },
    embedQuery: (text) => inner.embedQuery(text),
  };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("model selection", () => {
  it("defaults each provider's model and dimension", () => {
    expect(resolveSelection("local", undefined, undefined)).toMatchObject({
      model: "local-hash-v1",
      dimension: 384,
    });
    expect(resolveSelection("openai", undefined, undefined)).toMatchObject({
      model: "text-embedding-3-small",
      dimension: 1536,
    });
    expect(resolveSelection("bedrock", undefined, 512)).toMatchObject({ dimension: 512 });
    expect(resolveSelection("pinecone", "llama-text-embed-v2", 384)).toMatchObject({ dimension: 384 });
  });

  it("refuses a dimension the model cannot make, and an unknown model, naming what would work", () => {
    expect(() => resolveSelection("pinecone", "multilingual-e5-large", 384)).toThrow(/makes 1024/);
    expect(() => resolveSelection("bedrock", undefined, 300)).toThrow(/256, 512, 1024/);
    expect(() => resolveSelection("openai", "gpt-4o", undefined)).toThrow(ConfigError);
  });

  it("reads the provider from the environment and refuses one it does not know", () => {
    const base = {
      TABLE_NAME: "t",
      SYNC_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/sync",
      INDEX_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/index",
      PINECONE_INDEX_HOST: "https://index-abc.svc.pinecone.io",
      PINECONE_API_KEY: "pcsk-test-value",
    };
    expect(loadConfig({ ...base, EMBEDDING_PROVIDER: "bedrock" })).toMatchObject({
      EMBEDDING_PROVIDER: "bedrock",
      EMBEDDING_CACHE: "on",
    });
    expect(() => loadConfig({ ...base, EMBEDDING_PROVIDER: "cohere" })).toThrow(/EMBEDDING_PROVIDER/);
  });

  it("fails at construction when the OpenAI key is missing", () => {
    const config = {
      EMBEDDING_PROVIDER: "openai",
      EMBEDDING_CACHE: "off",
      AWS_REGION: "us-east-1",
      PINECONE_API_KEY: "k",
      PINECONE_INDEX_HOST: "http://127.0.0.1:9",
    } as EmbeddingConfig;
    expect(() => createEmbedderFromConfig(config, { dynamodb: {} as never, tableName: "t" })).toThrow(
      /needs OPENAI_API_KEY/,
    );
  });
});

describe("batching", () => {
  it("keeps order and stays within the count and token limits", () => {
    const texts = Array.from({ length: 10 }, (_, i) => `t${i}`);
    expect(planBatches(texts, { maxInputs: 4 }, () => 0)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(planBatches(texts, { maxInputs: 100, maxRequestTokens: 25 }, () => 10)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
      [8, 9],
    ]);
    expect(planBatches([], { maxInputs: 4 }, () => 0)).toEqual([]);
  });
});

describe("retries", () => {
  const policy = (waits: number[]) => ({
    maxRetries: 3,
    baseDelayMs: 100,
    maxDelayMs: 5000,
    sleep: async (ms: number) => void waits.push(ms),
  });

  it("waits what Retry-After asks, and backs off without it", async () => {
    const waits: number[] = [];
    const failures = [
      new RetryableError("throttled", { retryAfterSeconds: 2 }),
      new RetryableError("unavailable"),
    ];
    const result = await withRetries(async () => {
      const failure = failures.shift();
      if (failure) throw failure;
      return "ok";
    }, policy(waits));
    expect(result).toBe("ok");
    expect(waits[0]).toBe(2000);
    expect(waits[1]).toBeGreaterThanOrEqual(150);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it("returns at once when asked to wait longer than the cap, and never retries a permanent error", async () => {
    const waits: number[] = [];
    const long = new RetryableError("come back in an hour", { retryAfterSeconds: 3600 });
    expect(await caught(withRetries(() => Promise.reject(long), policy(waits)))).toBe(long);
    const permanent = new PermanentError("bad key");
    let attempts = 0;
    expect(
      await caught(
        withRetries(() => {
          attempts += 1;
          return Promise.reject(permanent);
        }, policy(waits)),
      ),
    ).toBe(permanent);
    expect(attempts).toBe(1);
    expect(waits).toEqual([]);
  });
});

describe("float32 bytes", () => {
  it("round-trips through 4 bytes a value, from any byte offset", () => {
    const vector = [0.1, -0.25, 1e-7, 2.5];
    const bytes = vectorToBytes(vector);
    expect(bytes.byteLength).toBe(16);
    const shifted = new Uint8Array(17);
    shifted.set(bytes, 1);
    expect(bytesToVector(shifted.subarray(1))).toEqual(roundToFloat32(vector));
  });
});

describe("the cache decorator", () => {
  it("sends only misses, each distinct text once, and counts embedded vs cached", async () => {
    const provider = recordingEmbedder();
    const cache = createMemoryEmbeddingCache();
    const embedder = withEmbeddingCache(provider, cache);

    const first = await embedder.embedDocuments(["a b", "c d", "a b"]);
    expect(provider.sent).toEqual([["a b", "c d"]]);
    expect(first).toMatchObject({ embedded: 2, cached: 1 });
    expect(first.tokens).toBeGreaterThan(0);

    const second = await embedder.embedDocuments(["c d", "e f", "a b"]);
    expect(provider.sent[1]).toEqual(["e f"]);
    expect(second).toMatchObject({ embedded: 1, cached: 2 });
    // A hit and a miss give the same values (float32, as the cache and Pinecone store them).
    expect(second.vectors[0]).toEqual(first.vectors[1]);
    expect(second.vectors[2]).toEqual(
      roundToFloat32((await provider.embedDocuments(["a b"])).vectors[0] ?? []),
    );

    const none = await embedder.embedDocuments([]);
    expect(none).toMatchObject({ vectors: [], embedded: 0, cached: 0, tokens: 0 });
  });

  it("never answers one model's texts with another model's vectors", async () => {
    const cache = createMemoryEmbeddingCache();
    await withEmbeddingCache(recordingEmbedder(16, "model-a"), cache).embedDocuments(["same text"]);
    const other = recordingEmbedder(16, "model-b");
    const result = await withEmbeddingCache(other, cache).embedDocuments(["same text"]);
    expect(result).toMatchObject({ embedded: 1, cached: 0 });
    const shorter = recordingEmbedder(8, "model-a");
    expect(await withEmbeddingCache(shorter, cache).embedDocuments(["same text"])).toMatchObject({
      embedded: 1,
    });
    expect(cache.size()).toBe(3);
  });

  it("does not cache queries", async () => {
    const provider = recordingEmbedder();
    const embedder = withEmbeddingCache(provider, createMemoryEmbeddingCache());
    expect(await embedder.embedQuery("x y")).toEqual(await provider.embedQuery("x y"));
    expect(provider.sent).toEqual([]);
  });
});

describe("the dimension check", () => {
  it("fails with both dimensions before anything is embedded", async () => {
    const provider = recordingEmbedder(16);
    let describes = 0;
    const embedder = withIndexDimensionCheck(provider, {
      describeIndex: async () => {
        describes += 1;
        return { dimension: 1536 };
      },
      indexLabel: "at https://idx",
      spec: resolveSelection("local", undefined, 16).spec,
    });
    const error = await caught(embedderReady(embedder));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /makes 16-dimensional vectors .* index at https:\/\/idx has dimension 1536/,
    );
    expect(await caught(embedder.embedDocuments(["a"]))).toBe(error);
    expect(await caught(embedder.embedQuery("a"))).toBe(error);
    expect(provider.sent).toEqual([]);
    expect(describes).toBe(1);
  });

  it("checks once when the dimensions agree, and tries again after a failed describe call", async () => {
    let answers = [Promise.reject(new RetryableError("timeout")), Promise.resolve({ dimension: 16 })];
    answers[0]?.catch(() => undefined);
    let describes = 0;
    const embedder = withIndexDimensionCheck(recordingEmbedder(16), {
      describeIndex: () => {
        describes += 1;
        return answers.shift() as Promise<{ dimension: number }>;
      },
      indexLabel: "x",
    });
    expect(await caught(embedder.embedDocuments(["a"]))).toBeInstanceOf(RetryableError);
    await embedderReady(embedder);
    await embedder.embedDocuments(["a"]);
    await embedder.embedQuery("a");
    expect(describes).toBe(2);
    answers = [];
    // A plain embedder (a test fake) is always ready.
    await embedderReady(createLocalEmbedder(8));
  });
});

describe("the dataset's model", () => {
  const config = {
    EMBEDDING_PROVIDER: "local",
    EMBEDDING_DIMENSION: 1024,
    EMBEDDING_CACHE: "off",
    OPENAI_API_KEY: "sk-test",
    AWS_REGION: "us-east-1",
    PINECONE_API_KEY: "k",
    PINECONE_INDEX_HOST: "http://127.0.0.1:9",
  } as EmbeddingConfig;
  const deps = { dynamodb: {} as never, tableName: "t", describeIndex: async () => ({ dimension: 1024 }) };

  it("uses the configured embedder unless the dataset was indexed with another model", () => {
    const configured = createEmbedderFromConfig(config, deps);
    const embedders = createDatasetEmbedders(configured, config, deps);
    expect(embedders.forDataset({ datasetId: "d", embeddingModel: "local-hash-v1" })).toBe(configured);
    expect(embedders.forDataset({ datasetId: "d", embeddingModel: "unknown" })).toBe(configured);
    const openai = embedders.forDataset({ datasetId: "d", embeddingModel: "text-embedding-3-small" });
    expect(openai).toMatchObject({ provider: "openai", model: "text-embedding-3-small", dimension: 1024 });
    expect(embedders.forDataset({ datasetId: "e", embeddingModel: "text-embedding-3-small" })).toBe(openai);
  });

  it("refuses a model it cannot build at the index's dimension, as a permanent error", () => {
    const embedders = createDatasetEmbedders(createEmbedderFromConfig(config, deps), config, deps);
    expect(() => embedders.forDataset({ datasetId: "d", embeddingModel: "no-such-model" })).toThrow(
      PermanentError,
    );
    expect(() => embedders.forDataset({ datasetId: "d", embeddingModel: "text-embedding-ada-002" })).toThrow(
      /cannot use embedding model text-embedding-ada-002.*makes 1536/,
    );
  });
});
