/**
 * The embedding cache in DynamoDB (dynalite) and the embedder composed from configuration: OpenAI's
 * stand-in behind the cache, the Pinecone stand-in answering the cold-start dimension check.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoDbEmbeddingCache } from "../../lib/adapters/aws/dynamodb-embedding-cache.js";
import { ensureTable } from "../../lib/adapters/aws/ensure-table.js";
import { type Config, loadConfig } from "../../lib/composition/config.js";
import { createEmbedderFromConfig } from "../../lib/composition/configured-embedder.js";
import { embedderReady } from "../../lib/embedding/dimension-check.js";
import { textHash } from "../../lib/embedding/embedding-cache.js";
import type { MeteredEmbedResult } from "../../lib/embedding/usage.js";
import { roundToFloat32 } from "../../lib/embedding/vector-bytes.js";
import { ConfigError } from "../../lib/shared/errors.js";
import { keys } from "../../lib/shared/table-layout.js";
import { type OpenAiStandIn, startOpenAiStandIn } from "../../local/openai-standin.js";
import { type PineconeStandIn, startPineconeServer } from "../../local/pinecone-server.js";

const TABLE = "cache-test";
const OPENAI_KEY = "sk-test-cache-0123456789";
let db: ReturnType<typeof dynalite>;
let dynamodb: DynamoDBClient;
let openai: OpenAiStandIn;
let pinecone: PineconeStandIn;

beforeAll(async () => {
  db = dynalite({ createTableMs: 0 });
  db.listen(0, "127.0.0.1");
  await once(db, "listening");
  dynamodb = new DynamoDBClient({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${(db.address() as AddressInfo).port}`,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await ensureTable(dynamodb, TABLE);
  openai = await startOpenAiStandIn({ apiKey: OPENAI_KEY });
  pinecone = await startPineconeServer({ dimension: 256 });
});

afterAll(async () => {
  await openai?.close();
  await pinecone?.close();
  await new Promise<void>((resolve) => db.close(() => resolve()));
});

function config(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    TABLE_NAME: TABLE,
    SYNC_QUEUE_URL: "http://127.0.0.1:9/sync",
    INDEX_QUEUE_URL: "http://127.0.0.1:9/index",
    PINECONE_INDEX_HOST: pinecone.url,
    PINECONE_API_KEY: "local",
    EMBEDDING_PROVIDER: "openai",
    EMBEDDING_DIMENSION: "256",
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: openai.url,
    ...overrides,
  });
}

const paragraphs = (count: number, tag: string) =>
  Array.from(
    { length: count },
    (_, i) => `${tag} ${i}: the deploy checklist, step by step, with rollback notes.`,
  );

describe("DynamoDB embedding cache", () => {
  it("stores float32 bytes and reads them back in batches of 100 (get) and 25 (write)", async () => {
    const cache = createDynamoDbEmbeddingCache(dynamodb, TABLE);
    const space = { provider: "openai", model: "text-embedding-3-small", dimension: 8 };
    const entries = paragraphs(250, "batch").map((text, i) => ({
      hash: textHash(text),
      vector: Array.from({ length: 8 }, (_, j) => (i + 1) / (j + 3)),
    }));
    expect(await cache.putMany(space, entries)).toBe(10);
    const { found, requests } = await cache.getMany(space, [
      ...entries.map((e) => e.hash),
      textHash("absent"),
    ]);
    expect(requests).toBe(3);
    expect(found.size).toBe(250);
    expect(found.get(entries[7]?.hash ?? "")).toEqual(roundToFloat32(entries[7]?.vector ?? []));

    const item = await dynamodb.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: marshallKey(keys.embedding(entries[0]?.hash ?? "", space)),
      }),
    );
    expect(item.Item?.vector?.B?.byteLength).toBe(8 * 4);
    expect(Object.keys(item.Item ?? {}).sort()).toEqual(["createdAt", "pk", "sk", "vector"]);

    const otherModel = await cache.getMany({ ...space, model: "text-embedding-3-large" }, [
      entries[0]?.hash ?? "",
    ]);
    expect(otherModel.found.size).toBe(0);
  });
});

describe("the configured embedder", () => {
  it("sends only new text to the provider, and nothing of one model to another", async () => {
    const embedder = createEmbedderFromConfig(config(), { dynamodb, tableName: TABLE });
    await embedderReady(embedder);
    const texts = paragraphs(40, "page");
    const first = (await embedder.embedDocuments(texts)) as MeteredEmbedResult;
    expect(first).toMatchObject({ embedded: 40, cached: 0, requests: 1 });
    const callsAfterFirst = openai.calls().length;

    const edited = [...texts];
    edited[17] = "page 17: the deploy checklist, rewritten after the incident.";
    const second = (await embedder.embedDocuments(edited)) as MeteredEmbedResult;
    expect(second).toMatchObject({ embedded: 1, cached: 39 });
    expect(
      openai
        .calls()
        .slice(callsAfterFirst)
        .map((call) => call.inputs),
    ).toEqual([1]);
    expect(second.vectors[0]).toEqual(first.vectors[0]);
    expect(second.tokens).toBeLessThan(first.tokens);

    const unchanged = (await embedder.embedDocuments(edited)) as MeteredEmbedResult;
    expect(unchanged).toMatchObject({ embedded: 0, cached: 40, tokens: 0, requests: 0 });

    const large = createEmbedderFromConfig(config({ EMBEDDING_MODEL: "text-embedding-3-large" }), {
      dynamodb,
      tableName: TABLE,
    });
    expect(await large.embedDocuments(edited)).toMatchObject({ embedded: 40, cached: 0 });
  });

  it("embeds everything every time with the cache off", async () => {
    const embedder = createEmbedderFromConfig(config({ EMBEDDING_CACHE: "off" }), {
      dynamodb,
      tableName: TABLE,
    });
    const texts = paragraphs(5, "uncached");
    await embedder.embedDocuments(texts);
    expect(await embedder.embedDocuments(texts)).toMatchObject({ embedded: 5, cached: 0 });
  });

  it("refuses a model whose dimension differs from the index's at cold start, before any embedding", async () => {
    const before = openai.requestCount();
    const embedder = createEmbedderFromConfig(config({ EMBEDDING_DIMENSION: "1536" }), {
      dynamodb,
      tableName: TABLE,
    });
    const error = await embedderReady(embedder).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(
      "openai/text-embedding-3-small makes 1536-dimensional vectors but the Pinecone index",
    );
    expect((error as Error).message).toContain("has dimension 256: set EMBEDDING_DIMENSION=256");
    await expect(embedder.embedDocuments(["x"])).rejects.toBe(error);
    expect(openai.requestCount()).toBe(before);
  });
});

function marshallKey(key: { pk: string; sk: string }) {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}
