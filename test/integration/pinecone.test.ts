/**
 * The real Pinecone client and our adapter against the local stand-in, over HTTP on 127.0.0.1.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pinecone } from "@pinecone-database/pinecone";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createPineconeVectorIndex,
  describePineconeIndex,
} from "../../lib/adapters/pinecone/pinecone-vector-index.js";
import type { VectorIndex, VectorRecord } from "../../lib/core/ports.js";
import { PermanentError, RetryableError } from "../../lib/shared/errors.js";
import { type PineconeStandIn, startPineconeServer } from "../../local/pinecone-server.js";

const DIMENSION = 4;
const API_KEY = "test-key-0123456789";
const NS = "tenant-a.dataset-1";

function unit(index: number): number[] {
  const values = [0.01, 0.01, 0.01, 0.01];
  values[index % DIMENSION] = 1;
  return values;
}

function record(id: string, values: number[], extra: Partial<VectorRecord["metadata"]> = {}): VectorRecord {
  const documentId = id.split("#")[0] ?? id;
  return {
    id,
    values,
    metadata: {
      tenantId: "tenant-a",
      datasetId: "dataset-1",
      documentId,
      position: Number(id.split("#")[2] ?? 0),
      text: `text of ${id}`,
      title: `title of ${documentId}`,
      source: `https://www.notion.so/${documentId}`,
      headingPath: [],
      ...extra,
    },
  };
}

function docRecords(documentId: string, generation: number, count: number): VectorRecord[] {
  return Array.from({ length: count }, (_, position) =>
    record(`${documentId}#${generation}#${position}`, unit(position)),
  );
}

let server: PineconeStandIn;
let vectors: VectorIndex;

function adapter(extra: { maxRetries?: number; upsertBatchSize?: number } = {}): VectorIndex {
  return createPineconeVectorIndex({ apiKey: API_KEY, indexHost: server.url, ...extra });
}

function countOf(route: string): number {
  return server.requestCounts()[route] ?? 0;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

describe("Pinecone stand-in with the real client", () => {
  beforeEach(async () => {
    server = await startPineconeServer({ dimension: DIMENSION, apiKey: API_KEY });
    vectors = adapter({ maxRetries: 0 });
  });

  afterEach(async () => {
    await server.close();
  });

  it("upserts and queries with metadata filters ($eq implicit, $in, $and, $or, list fields)", async () => {
    await vectors.upsert(NS, [
      record("a#1#0", [1, 0, 0, 0], { headingPath: ["Intro", "Setup"] }),
      record("b#1#0", [0.9, 0.1, 0, 0]),
      record("c#1#0", [0, 1, 0, 0]),
    ]);

    const all = await vectors.query(NS, [1, 0, 0, 0], { topK: 10 });
    expect(all.map((m) => m.id)).toEqual(["a#1#0", "b#1#0", "c#1#0"]);
    expect(all[0]?.score).toBeCloseTo(1, 5);
    expect(all[0]?.metadata).toMatchObject({
      documentId: "a",
      text: "text of a#1#0",
      headingPath: ["Intro", "Setup"],
    });

    const byPort = await vectors.query(NS, [1, 0, 0, 0], { topK: 10, filter: { documentId: "b" } });
    expect(byPort.map((m) => m.id)).toEqual(["b#1#0"]);

    const ns = new Pinecone({ apiKey: API_KEY }).index({ host: server.url, namespace: NS });
    const inAnd = await ns.query({
      vector: [0, 1, 0, 0],
      topK: 10,
      filter: { $and: [{ documentId: { $in: ["a", "c"] } }, { tenantId: { $eq: "tenant-a" } }] },
    });
    expect(inAnd.matches.map((m) => m.id)).toEqual(["c#1#0", "a#1#0"]);

    const listField = await ns.query({ vector: [1, 0, 0, 0], topK: 10, filter: { headingPath: "Setup" } });
    expect(listField.matches.map((m) => m.id)).toEqual(["a#1#0"]);

    const orNin = await ns.query({
      vector: [1, 0, 0, 0],
      topK: 10,
      filter: { $or: [{ documentId: { $nin: ["a", "b"] } }, { position: { $gte: 1 } }] },
    });
    expect(orNin.matches.map((m) => m.id)).toEqual(["c#1#0"]);

    const otherNamespace = await vectors.query("tenant-b.dataset-1", [1, 0, 0, 0], { topK: 10 });
    expect(otherNamespace).toEqual([]);
  });

  it("filters the retrieval API's metadata: $in on a list, number ranges, $ne, $nin, $exists", async () => {
    // Two rows of a database and a page: the page has no `prop:` fields at all.
    const edited = [1_767_225_600_000, 1_767_225_660_000, 1_767_225_720_000];
    await vectors.upsert(NS, [
      record("row1#1#0", unit(0), {
        lastEditedTime: edited[0],
        "prop:Tags": ["db", "payments"],
        "prop:Minutes": 95,
        "prop:Resolved": true,
      }),
      record("row2#1#0", unit(1), {
        lastEditedTime: edited[1],
        "prop:Tags": ["db"],
        "prop:Minutes": 12,
        "prop:Resolved": false,
      }),
      record("page#1#0", unit(2), { lastEditedTime: edited[2] }),
    ]);
    const ids = async (filter: Record<string, unknown>) =>
      (await vectors.query(NS, unit(0), { topK: 10, filter })).map((match) => match.id).sort();

    expect(await ids({ "prop:Tags": { $in: ["payments"] } })).toEqual(["row1#1#0"]);
    expect(await ids({ "prop:Tags": { $in: ["db", "other"] } })).toEqual(["row1#1#0", "row2#1#0"]);
    expect(await ids({ "prop:Tags": "payments" })).toEqual(["row1#1#0"]);
    expect(await ids({ "prop:Tags": { $eq: "db" } })).toEqual(["row1#1#0", "row2#1#0"]);
    // A list matches $nin (and $ne) only when none of its items is named.
    expect(
      await ids({ $and: [{ "prop:Tags": { $exists: true } }, { "prop:Tags": { $nin: ["payments"] } }] }),
    ).toEqual(["row2#1#0"]);
    expect(
      await ids({ $and: [{ "prop:Tags": { $exists: true } }, { "prop:Tags": { $ne: "payments" } }] }),
    ).toEqual(["row2#1#0"]);

    expect(await ids({ "prop:Minutes": { $gte: 12, $lte: 30 } })).toEqual(["row2#1#0"]);
    expect(await ids({ "prop:Minutes": { $gte: 13 } })).toEqual(["row1#1#0"]);
    expect(await ids({ "prop:Minutes": { $lte: 95 } })).toEqual(["row1#1#0", "row2#1#0"]);
    expect(await ids({ "prop:Minutes": { $gt: 12, $lt: 95 } })).toEqual([]);
    expect(await ids({ lastEditedTime: { $gte: edited[1] } })).toEqual(["page#1#0", "row2#1#0"]);
    expect(await ids({ lastEditedTime: { $gte: edited[0], $lt: edited[2] } })).toEqual([
      "row1#1#0",
      "row2#1#0",
    ]);
    expect(await ids({ lastEditedTime: { $lte: edited[0] } })).toEqual(["row1#1#0"]);

    expect(await ids({ "prop:Resolved": false })).toEqual(["row2#1#0"]);
    expect(await ids({ "prop:Minutes": { $exists: false } })).toEqual(["page#1#0"]);
    expect(await ids({ $or: [{ "prop:Resolved": true }, { lastEditedTime: { $gt: edited[1] } }] })).toEqual([
      "page#1#0",
      "row1#1#0",
    ]);
    // A name every object has is only a field when the vector has it.
    expect(await ids({ constructor: { $exists: true } })).toEqual([]);
    expect(await ids({ toString: { $exists: false } })).toHaveLength(3);
  });

  it("deletes by ids, and an empty list sends no request at all", async () => {
    await vectors.upsert(NS, docRecords("doc", 1, 3));
    const before = countOf("POST /vectors/delete");

    expect(await vectors.deleteIds(NS, [])).toBe(0);
    expect(countOf("POST /vectors/delete")).toBe(before);
    expect(server.ids(NS)).toHaveLength(3);

    expect(await vectors.deleteIds(NS, ["doc#1#0", "doc#1#2"])).toBe(2);
    expect(countOf("POST /vectors/delete")).toBe(before + 1);
    expect(server.ids(NS)).toEqual(["doc#1#1"]);
  });

  it("splits deletes into requests of at most 1000 ids", async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => `gone#1#${i}`);
    expect(await vectors.deleteIds(NS, ids)).toBe(2500);
    expect(countOf("POST /vectors/delete")).toBe(3);
  });

  it("lists every id with a prefix across pages, and doc1# does not match doc10#", async () => {
    await vectors.upsert(NS, [
      ...docRecords("doc1", 2, 260),
      ...docRecords("doc10", 1, 5),
      ...docRecords("doc2", 1, 3),
    ]);
    const before = countOf("GET /vectors/list");

    const ids = await vectors.listIds(NS, "doc1#");

    expect(ids).toHaveLength(260);
    expect(new Set(ids).size).toBe(260);
    expect(ids.every((id) => id.startsWith("doc1#"))).toBe(true);
    expect(countOf("GET /vectors/list") - before).toBe(3);
    expect(await vectors.listIds(NS, "doc10#")).toHaveLength(5);
    expect(await vectors.listIds(NS, "missing#")).toEqual([]);
  });

  it("returns ids in lexicographic order with a continuation token", async () => {
    await vectors.upsert(NS, [record("b", unit(0)), record("a", unit(1)), record("c", unit(2))]);
    const ns = new Pinecone({ apiKey: API_KEY }).index({ host: server.url, namespace: NS });

    const first = await ns.listPaginated({ limit: 2 });
    expect(first.vectors?.map((v) => v.id)).toEqual(["a", "b"]);
    const next = first.pagination?.next;
    expect(next).toBeTruthy();
    const second = await ns.listPaginated({ limit: 2, paginationToken: next });
    expect(second.vectors?.map((v) => v.id)).toEqual(["c"]);
    expect(second.pagination?.next).toBeUndefined();
  });

  it("fetches records by id and describes index stats", async () => {
    await vectors.upsert(NS, docRecords("doc", 1, 2));
    await vectors.upsert("", [record("default#1#0", unit(0))]);
    const pc = new Pinecone({ apiKey: API_KEY });

    const fetched = await pc.index({ host: server.url, namespace: NS }).fetch({ ids: ["doc#1#1", "nope"] });
    expect(Object.keys(fetched.records)).toEqual(["doc#1#1"]);
    expect(fetched.records["doc#1#1"]?.metadata).toMatchObject({ documentId: "doc", position: 1 });
    expect(fetched.records["doc#1#1"]?.values).toHaveLength(DIMENSION);

    const stats = await pc.index({ host: server.url }).describeIndexStats();
    expect(stats.dimension).toBe(DIMENSION);
    expect(stats.totalRecordCount).toBe(3);
    expect(stats.namespaces?.[NS]?.recordCount).toBe(2);
    expect(stats.namespaces?.__default__?.recordCount).toBe(1);
    expect(server.namespaces()).toEqual(["", NS]);

    expect(await describePineconeIndex({ apiKey: API_KEY, indexHost: server.url })).toEqual({
      dimension: DIMENSION,
      metric: "cosine",
    });
  });

  it("serves the control plane: describe, list and create indexes", async () => {
    const pc = new Pinecone({ apiKey: API_KEY, controllerHostUrl: server.url });

    const described = await pc.describeIndex(server.indexName);
    expect(described).toMatchObject({ host: server.url, dimension: DIMENSION, metric: "cosine" });
    expect(described.status.ready).toBe(true);

    const created = await pc.createIndex({
      name: "other",
      dimension: 3,
      metric: "dotproduct",
      spec: { serverless: { cloud: "aws", region: "us-east-1" } },
    });
    expect(created?.host).toBe(`${server.url}/_index/other`);
    expect((await pc.listIndexes()).indexes?.map((index) => index.name).sort()).toEqual([
      "notion-index-sync",
      "other",
    ]);
    await expect(
      pc.createIndex({
        name: "other",
        dimension: 3,
        spec: { serverless: { cloud: "aws", region: "us-east-1" } },
      }),
    ).rejects.toThrow(/409/);

    // An index resolved by name through the control plane gets its own data.
    const other = pc.index({ name: "other" });
    await other.upsert({ records: [{ id: "x", values: [1, 2, 3] }] });
    expect((await other.describeIndexStats()).totalRecordCount).toBe(1);
    expect(server.namespaces()).toEqual([]);
  });

  it("maps a dimension mismatch to PermanentError without leaking the key", async () => {
    const error = await caught(vectors.upsert(NS, [record("bad#1#0", [1, 2, 3])]));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/HTTP 400.*dimension 3 does not match.*4/);
    expect((error as Error).message).not.toContain(API_KEY);
    expect((error as Error).message).not.toContain("\n");
  });

  it("maps a wrong API key to PermanentError", async () => {
    const wrong = createPineconeVectorIndex({ apiKey: "wrong-key", indexHost: server.url });
    const error = await caught(wrong.query(NS, unit(0), { topK: 1 }));
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/HTTP 401/);
  });

  it("maps an injected 503 to RetryableError", async () => {
    server.faults.failNext(1, 503);
    const error = await caught(vectors.upsert(NS, docRecords("doc", 1, 1)));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/HTTP 503/);
    expect(server.ids(NS)).toEqual([]);
  });

  it("lets the client retry a 5xx by itself when retries are allowed", async () => {
    server.faults.failNext(1, 500);
    await adapter({ maxRetries: 1 }).upsert(NS, docRecords("doc", 1, 1));
    expect(countOf("POST /vectors/upsert")).toBe(2);
    expect(server.ids(NS)).toEqual(["doc#1#0"]);
  });

  it("maps an injected 429 to RetryableError with Retry-After", async () => {
    server.faults.failNext(1, 429, 7);
    const error = await caught(vectors.query(NS, unit(0), { topK: 1 }));
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterSeconds).toBe(7);
    expect((error as Error).message).toMatch(/HTTP 429/);
  });

  it("maps an unreachable host to RetryableError", async () => {
    const gone = await startPineconeServer({ dimension: DIMENSION });
    await gone.close();
    const error = await caught(
      createPineconeVectorIndex({ apiKey: API_KEY, indexHost: gone.url }).listIds(NS, "x#"),
    );
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it("splits 250 records into upsert requests of at most 100", async () => {
    await vectors.upsert(NS, docRecords("big", 1, 250));
    expect(countOf("POST /vectors/upsert")).toBe(3);
    expect(server.ids(NS)).toHaveLength(250);
  });

  it("keeps upsert requests under 2 MB even when records are large", async () => {
    const text = "x".repeat(30_000);
    const records = Array.from({ length: 100 }, (_, i) => record(`fat#1#${i}`, unit(i), { text }));
    await vectors.upsert(NS, records);
    expect(countOf("POST /vectors/upsert")).toBeGreaterThan(1);
    expect(server.ids(NS)).toHaveLength(100);
  });
});

describe("Pinecone stand-in limits", () => {
  beforeEach(async () => {
    server = await startPineconeServer({ dimension: DIMENSION });
  });

  afterEach(async () => {
    await server.close();
  });

  it("refuses more than 1000 vectors, oversized metadata and unknown operators with 400", async () => {
    const ns = new Pinecone({ apiKey: "any" }).index({ host: server.url });
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `v${i}`, values: unit(i) }));
    await expect(ns.upsert({ records: many })).rejects.toThrow(/maximum of 1000/);
    await expect(
      ns.upsert({ records: [{ id: "m", values: unit(0), metadata: { big: "y".repeat(41_000) } }] }),
    ).rejects.toThrow(/exceeds the limit/);
    await expect(ns.query({ vector: unit(0), topK: 1, filter: { a: { $regex: "x" } } })).rejects.toThrow(
      /Unsupported filter operator/,
    );
    await expect(ns.query({ vector: unit(0), topK: 10_001 })).rejects.toThrow(/topK/);
  });

  it("refuses metadata Pinecone refuses: null, nested objects, lists of non-strings, over 40 KB", async () => {
    const upsert = (metadata: unknown) =>
      fetch(`${server.url}/vectors/upsert`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ vectors: [{ id: "m", values: unit(0), metadata }] }),
      });
    for (const value of [null, { nested: "x" }, [1, 2], ["a", 1], [["a"]]]) {
      const response = await upsert({ field: value });
      expect(response.status, JSON.stringify(value)).toBe(400);
      expect(JSON.stringify(await response.json())).toMatch(/string, number, boolean or list of strings/);
    }
    // 40 KB is counted over the whole metadata, not per field.
    const fields = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}`, "y".repeat(8_200)]));
    const tooBig = await upsert(fields);
    expect(tooBig.status).toBe(400);
    expect(JSON.stringify(await tooBig.json())).toMatch(/exceeds the limit of 40960 bytes/);
    const accepted = await upsert({ s: "x", n: 1.5, b: false, l: ["a", "b"] });
    expect(accepted.status).toBe(200);
    expect(server.ids("")).toEqual(["m"]);
  });

  it("answers unknown routes with 404 JSON", async () => {
    const response = await fetch(`${server.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ status: 404 });
  });
});

describe("Pinecone stand-in persistence", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pinecone-stand-in-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps vectors across close and restart", async () => {
    const persistPath = join(dir, "nested", "pinecone.json");
    server = await startPineconeServer({ dimension: DIMENSION, persistPath });
    await adapter().upsert(NS, docRecords("kept", 3, 4));
    await adapter().deleteIds(NS, ["kept#3#1"]);
    await server.close();
    expect(JSON.parse(await readFile(persistPath, "utf8"))).toMatchObject({ version: 1 });

    server = await startPineconeServer({ dimension: DIMENSION, persistPath });
    try {
      expect(server.ids(NS)).toEqual(["kept#3#0", "kept#3#2", "kept#3#3"]);
      const matches = await adapter().query(NS, unit(2), { topK: 1 });
      expect(matches[0]).toMatchObject({ id: "kept#3#2", metadata: { documentId: "kept", position: 2 } });
    } finally {
      await server.close();
    }
  });

  it("refuses to start on a persisted index of another dimension", async () => {
    const persistPath = join(dir, "pinecone.json");
    server = await startPineconeServer({ dimension: DIMENSION, persistPath });
    await server.close();
    await expect(startPineconeServer({ dimension: DIMENSION + 1, persistPath })).rejects.toThrow(/dimension/);
  });
});
