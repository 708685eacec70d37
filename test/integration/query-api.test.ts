/**
 * The retrieval API end to end: the query function's own wiring (functions/query/adapters.ts) behind
 * a function URL on 127.0.0.1, the typed client and plain fetch against it, and the pipeline writing
 * the index on the stand-ins (dynalite, the Pinecone and Notion stand-ins).
 * What it proves: keys (hash, revocation, tenant and dataset reach, rate), filters, one generation per
 * document even in the middle of a reindex, no archived or removed document, hierarchical parents,
 * and the one error shape.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyedQueryApi, createQueryAdapters } from "../../functions/query/adapters.js";
import { createQueryClient, QueryApiError, type QueryRequest } from "../../lib/client/query-client.js";
import { loadQueryConfig } from "../../lib/composition/query-config.js";
import { createDataset } from "../../lib/core/datasets.js";
import {
  AUTOMATIC_RULE,
  type Dataset,
  type Document,
  generationOfVectorId,
  VECTOR_METADATA_VERSION,
} from "../../lib/core/model.js";
import type { VectorIndex } from "../../lib/core/ports.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { reindexDataset } from "../../lib/documents/reindex.js";
import { createFunctionUrlHandler } from "../../lib/http/function-url-event.js";
import { newApiKey } from "../../lib/retrieval/api-keys.js";
import { QUERY_FAILURE } from "../../lib/retrieval/query-api.js";
import type { QueryMatch } from "../../lib/retrieval/query-response.js";
import { createIndexRecordHandler } from "../../lib/sqs-records/index-record.js";
import { startFunctionUrlServer } from "../../local/function-url-server.js";
import { heading2, paragraph } from "../../local/notion-blocks.js";
import { secretLeaks } from "../security/secret-scan.js";
import {
  collectingLog,
  countCalls,
  DATASET,
  type Harness,
  LEASE_SECONDS,
  type LogLine,
  startHarness,
  TENANT,
  TEST_TOKEN_REF,
  WORKSPACE,
} from "../support/harness.js";
import { openApiValidator } from "../support/openapi-validator.js";

const OTHER_TENANT = "globex";
const OTHER_DATASET = "globex-handbook";
const NARROW_DATASET = "narrow";
const TREE_DATASET = "tree";
const TOPIC = "on-call rotation for the payments database";

let h: Harness;
let url: string;
let closeServer: () => Promise<void>;
const apiLogs: LogLine[] = [];
const storeCalls: Record<string, number> = {};
const keys: Record<"acme" | "globex" | "narrow" | "revoked", string> = {
  acme: "",
  globex: "",
  narrow: "",
  revoked: "",
};
const pages: Record<"runbook" | "faq" | "narrow" | "tree" | "other", string> = {
  runbook: "",
  faq: "",
  narrow: "",
  tree: "",
  other: "",
};
const documents: Record<string, string> = {};

beforeAll(async () => {
  // A rate no test reaches but the rate test's own API (see there).
  h = await startHarness({ QUERY_REQUESTS_PER_SECOND: "1000", QUERY_BURST: "1000" });
  const server = await startQueryApi(h.env, (adapters) => ({
    ...adapters,
    store: countCalls(adapters.store, storeCalls),
  }));
  url = server.url;
  closeServer = server.close;

  await h.store.putBinding({
    tenantId: OTHER_TENANT,
    provider: "notion",
    workspaceId: WORKSPACE,
    tokenRef: TEST_TOKEN_REF,
    disabled: false,
  });
  await createDataset(h.store, {
    tenantId: TENANT,
    datasetId: TREE_DATASET,
    embeddingModel: "local-hash-v1",
    settings: {
      processRule: { ...AUTOMATIC_RULE, maxTokens: 300, childMaxTokens: 60, overlap: 0, mode: "custom" },
      docForm: "hierarchical",
    },
    now: new Date(),
  });
  pages.runbook = h.workspace.addPage({ title: "Runbook", blocks: guide("Runbook") });
  pages.faq = h.workspace.addPage({ title: "FAQ", blocks: guide("FAQ") });
  pages.narrow = h.workspace.addPage({ title: "Narrow", blocks: guide("Narrow") });
  pages.tree = h.workspace.addPage({ title: "Tree", blocks: guide("Tree") });
  pages.other = h.workspace.addPage({ title: "Globex runbook", blocks: guide("Globex") });
  h.clock.advance(61_000);
  await index(TENANT, DATASET, pages.runbook, pages.faq);
  await index(TENANT, NARROW_DATASET, pages.narrow);
  await index(TENANT, TREE_DATASET, pages.tree);
  await index(OTHER_TENANT, OTHER_DATASET, pages.other);

  keys.acme = await createKey({ tenantId: TENANT });
  keys.globex = await createKey({ tenantId: OTHER_TENANT });
  keys.narrow = await createKey({ tenantId: TENANT, datasetIds: [NARROW_DATASET] });
  keys.revoked = await createKey({ tenantId: TENANT });
  await h.adapters.store.getDataset(TENANT, DATASET); // warm nothing: the API has its own clients
}, 120_000);

afterAll(async () => {
  await closeServer?.();
  await h?.close();
});

/** The query function's wiring behind a function URL on 127.0.0.1. */
async function startQueryApi(
  env: Record<string, string>,
  wrap: (adapters: ReturnType<typeof createQueryAdapters>) => ReturnType<typeof createQueryAdapters> = (a) =>
    a,
) {
  const config = loadQueryConfig(env);
  const log = collectingLog(apiLogs);
  return startFunctionUrlServer(
    createFunctionUrlHandler(
      createKeyedQueryApi(config, wrap(createQueryAdapters(config)), log),
      log,
      QUERY_FAILURE,
    ),
    { functionName: "query-test" },
  );
}

function guide(topic: string) {
  return [
    heading2(`${topic}: ${TOPIC}`),
    ...Array.from({ length: 12 }, (_, i) =>
      paragraph(`${topic} ${i}: who is paged for the ${TOPIC}, and how the hand-over works. `.repeat(4)),
    ),
  ];
}

/** Registers pages in a tenant's dataset and runs the pipeline over them. */
async function index(tenantId: string, datasetId: string, ...pageIds: string[]) {
  const registered = await registerDocuments(
    { store: h.store, syncQueue: h.adapters.syncQueue, clock: h.clock },
    { tenantId, datasetId, workspaceId: WORKSPACE, pageIds, embeddingModel: "local-hash-v1" },
  );
  await h.receiveAll(h.queues.syncQueue.queueUrl);
  for (const document of registered) {
    documents[`${datasetId}:${document.pageId}`] = document.documentId;
    await h.sync(document.documentId, datasetId);
    const indexed = await h.drainIndexQueue();
    expect(indexed.map((result) => result.outcome)).toEqual(["completed"]);
  }
}

async function createKey(owner: { tenantId: string; datasetIds?: string[] }): Promise<string> {
  const created = newApiKey(owner, new Date());
  await createQueryAdapters(loadQueryConfig(h.env)).keys.create(created.record);
  return created.key;
}

/** Every answer the API gave in this file, checked against the OpenAPI document at the end. */
const answers: { status: number; body: unknown }[] = [];

/** fetch, keeping each answer. */
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  answers.push({ status: response.status, body: await response.clone().json() });
  return response;
};

function client(key: string) {
  return createQueryClient({ url, apiKey: key, fetch: recordingFetch });
}

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await recordingFetch(new URL("v1/query", url), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer };
}

/** What the API answers: matches, or the one error shape. */
type Answer = { matches?: QueryMatch[]; error: { code: string; message: string } };

function ask(request: Partial<QueryRequest> = {}): QueryRequest {
  return { query: TOPIC, datasetId: DATASET, topK: 10, ...request };
}

function documentOf(datasetId: string, pageId: string): string {
  return documents[`${datasetId}:${pageId}`] as string;
}

/** Each document's generations among the matches: the API must never return two. */
function generationsByDocument(matches: QueryMatch[]): Map<string, Set<number>> {
  const found = new Map<string, Set<number>>();
  for (const match of matches) {
    const set = found.get(match.documentId) ?? new Set<number>();
    set.add(generationOfVectorId(match.id) as number);
    found.set(match.documentId, set);
  }
  return found;
}

describe("keys", () => {
  it("a missing, malformed, unknown, wrong or revoked key gets 401 with a one-line reason, and nothing is read", async () => {
    const [keyId] = /nis_([0-9a-f]{16})_/.exec(keys.acme)?.slice(1) ?? [];
    const wrongSecret = `nis_${keyId}_${"A".repeat(43)}`;
    const unknownId = `nis_${"0".repeat(16)}_${"A".repeat(43)}`;
    await createQueryAdapters(loadQueryConfig(h.env)).keys.revoke(
      /nis_([0-9a-f]{16})_/.exec(keys.revoked)?.[1] as string,
      new Date().toISOString(),
    );
    const before = { ...storeCalls };
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /no API key/],
      [{ authorization: "Basic abc" }, /must be Bearer/],
      [{ authorization: "Bearer not-a-key" }, /not valid/],
      [{ authorization: `Bearer ${unknownId}` }, /not valid/],
      [{ authorization: `Bearer ${wrongSecret}` }, /not valid/],
      [{ authorization: `Bearer ${keys.revoked}` }, /revoked/],
    ];
    for (const [headers, reason] of cases) {
      const answer = await post(ask(), headers);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe("unauthorized");
      expect(answer.body.error.message).toMatch(reason);
      expect(answer.body.error.message).not.toContain("\n");
    }
    // The data store was not touched: no dataset, document or segment read for a refused key.
    expect(storeCalls).toEqual(before);
  });

  it("a key reaches only its tenant: another tenant's dataset is 404, as if it did not exist", async () => {
    const own = await client(keys.globex).query(ask({ datasetId: OTHER_DATASET }));
    expect(own.matches.length).toBeGreaterThan(0);
    expect(new Set(own.matches.map((match) => match.documentId))).toEqual(
      new Set([documentOf(OTHER_DATASET, pages.other)]),
    );
    const crossing = await post(ask({ datasetId: DATASET }), { authorization: `Bearer ${keys.globex}` });
    expect(crossing.status).toBe(404);
    expect(crossing.body.error).toEqual({
      code: "not_found",
      message: `no dataset ${DATASET} for this tenant`,
    });
  });

  it("a key that names datasets reaches only those (403 for the others of its tenant)", async () => {
    const narrow = await client(keys.narrow).query(ask({ datasetId: NARROW_DATASET }));
    expect(narrow.matches.map((match) => match.documentId)).toContain(
      documentOf(NARROW_DATASET, pages.narrow),
    );
    await expect(client(keys.narrow).query(ask({ datasetId: DATASET }))).rejects.toMatchObject({
      status: 403,
      code: "forbidden",
    });
  });

  it("limits each key's request rate: past its burst, 429 with Retry-After", async () => {
    // Two requests a second per key, burst 4, shared by every instance through the table.
    const limited = await startQueryApi({ ...h.env, QUERY_REQUESTS_PER_SECOND: "2", QUERY_BURST: "4" });
    try {
      const key = await createKey({ tenantId: TENANT });
      const send = (apiKey: string) =>
        recordingFetch(new URL("v1/query", limited.url), {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(ask({ topK: 1 })),
        });
      const answers = [];
      for (let i = 0; i < 8; i += 1) answers.push(await send(key));
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
      expect(statuses).toContain(429);
      const refused = answers.find((answer) => answer.status === 429) as Response;
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as Answer).error.code).toBe("rate_limited");
      // Another key is not slowed by this one.
      expect((await send(keys.acme)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("never logs a key or the query text", () => {
    const logged = JSON.stringify(apiLogs);
    // The keys in any form a logger could print (whole, tail, base64, URL- or JSON-encoded).
    expect(secretLeaks(logged, keys)).toEqual([]);
    expect(logged).not.toContain(TOPIC);
    expect(apiLogs.some((line) => line.message === "query answered" && line.extra.tenantId === TENANT)).toBe(
      true,
    );
  });
});

describe("matches", () => {
  it("carry what a citation needs", async () => {
    const { matches } = await client(keys.acme).query(ask({ topK: 3 }));
    expect(matches).toHaveLength(3);
    for (const match of matches) {
      expect(match.content.length).toBeGreaterThan(0);
      expect([pages.runbook, pages.faq]).toContain(match.pageId);
      expect(match.sourceUrl).toMatch(/^https:\/\/www\.notion\.so\//);
      expect(match.title).toMatch(/Runbook|FAQ/);
      expect(match.headingPath.length).toBeGreaterThan(0);
      expect(Date.parse(match.lastEditedTime ?? "")).toBeGreaterThan(0);
      expect(match.parentContent).toBeUndefined();
    }
    const scores = matches.map((match) => match.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("merge several datasets of the tenant by score", async () => {
    const { matches } = await client(keys.acme).query(
      ask({ datasetId: [DATASET, NARROW_DATASET], topK: 20 }),
    );
    expect(new Set(matches.map((match) => match.datasetId))).toEqual(new Set([DATASET, NARROW_DATASET]));
    const scores = matches.map((match) => match.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("come with their parent's text in a hierarchical dataset when asked", async () => {
    const { matches } = await client(keys.acme).query(
      ask({ datasetId: TREE_DATASET, topK: 5, includeParent: true }),
    );
    expect(matches.length).toBeGreaterThan(0);
    for (const match of matches) {
      expect(match.parentContent).toBeDefined();
      expect(match.parentContent).toContain(match.content);
      expect((match.parentContent as string).length).toBeGreaterThan(match.content.length);
    }
    const without = await client(keys.acme).query(ask({ datasetId: TREE_DATASET, topK: 5 }));
    for (const match of without.matches) expect(match.parentContent).toBeUndefined();
  });
});

describe("filters", () => {
  it("by page and by document", async () => {
    const byPage = await client(keys.acme).query(
      ask({ filter: { pageIds: [pages.faq.replaceAll("-", "")] } }),
    );
    expect(byPage.matches.length).toBeGreaterThan(0);
    expect(new Set(byPage.matches.map((match) => match.pageId))).toEqual(new Set([pages.faq]));
    const runbook = documentOf(DATASET, pages.runbook);
    const byDocument = await client(keys.acme).query(ask({ filter: { documentIds: [runbook] } }));
    expect(new Set(byDocument.matches.map((match) => match.documentId))).toEqual(new Set([runbook]));
  });

  it("by last edit time", async () => {
    const { matches } = await client(keys.acme).query(ask());
    const times = [...new Set(matches.map((match) => match.lastEditedTime as string))].sort();
    const latest = times.at(-1) as string;
    const after = await client(keys.acme).query(ask({ filter: { lastEditedAfter: latest } }));
    for (const match of after.matches)
      expect(Date.parse(match.lastEditedTime as string)).toBeGreaterThanOrEqual(Date.parse(latest));
    const before = await client(keys.acme).query(
      ask({ filter: { lastEditedBefore: "2000-01-01T00:00:00Z" } }),
    );
    expect(before.matches).toEqual([]);
  });

  it("by database and row properties", async () => {
    const { databaseId } = h.workspace.addDatabase({
      title: "Incidents",
      columns: {
        Name: "title",
        Severity: "select",
        Minutes: "number",
        Resolved: "checkbox",
        Tags: "multi_select",
      },
      rows: [
        {
          Name: `Outage of the ${TOPIC}`,
          Severity: "high",
          Minutes: 95,
          Resolved: true,
          Tags: ["db", "payments"],
        },
        { Name: `Slow ${TOPIC}`, Severity: "low", Minutes: 12, Resolved: false, Tags: ["db"] },
        {
          Name: `Paging gap in the ${TOPIC}`,
          Severity: "high",
          Minutes: 30,
          Resolved: false,
          Tags: ["paging"],
        },
      ],
    });
    h.clock.advance(61_000);
    await index(TENANT, DATASET, databaseId);
    const rows = (filter: QueryRequest["filter"]) =>
      client(keys.acme)
        .query(ask({ topK: 20, filter: { databaseIds: [databaseId], ...filter } }))
        // A row's chunks sit under its title (the heading path's first entry); `title` is the database's.
        .then(({ matches }) => new Set(matches.map((match) => match.headingPath[0])));
    const all = await rows({});
    expect(all.size).toBe(3);
    expect(await rows({ properties: { Severity: "high" } })).toEqual(
      new Set([`Outage of the ${TOPIC}`, `Paging gap in the ${TOPIC}`]),
    );
    expect(await rows({ properties: { Minutes: { $gte: 30 }, Resolved: false } })).toEqual(
      new Set([`Paging gap in the ${TOPIC}`]),
    );
    expect(await rows({ properties: { Tags: { $in: ["payments"] } } })).toEqual(
      new Set([`Outage of the ${TOPIC}`]),
    );
    const rowMatches = await client(keys.acme).query(
      ask({ topK: 20, filter: { databaseIds: [databaseId] } }),
    );
    for (const match of rowMatches.matches) {
      expect(match.databaseId).toBe(databaseId);
      expect(match.pageId).not.toBe(databaseId);
    }
  });
});

describe("generations", () => {
  it("never returns two generations of a document, even in the middle of a reindex", async () => {
    const documentId = documentOf(DATASET, pages.runbook);
    const seen: { stage: string; generations: number[] }[] = [];
    const probe = async (stage: string) => {
      const { matches } = await client(keys.acme).query(
        ask({ topK: 50, filter: { documentIds: [documentId] } }),
      );
      expect(matches.length).toBeGreaterThan(0);
      const generations = generationsByDocument(matches).get(documentId) as Set<number>;
      seen.push({ stage, generations: [...generations] });
    };
    // An index run whose every vector and store write is followed by a query.
    const vectors: VectorIndex = {
      ...h.adapters.vectors,
      upsert: async (...args) => {
        await h.adapters.vectors.upsert(...args);
        await probe("after upsert");
      },
      deleteIds: async (...args) => {
        const deleted = await h.adapters.vectors.deleteIds(...args);
        await probe("after old vectors deleted");
        return deleted;
      },
    };
    const store = {
      ...h.adapters.store,
      updateDocument: async (...args: Parameters<typeof h.adapters.store.updateDocument>) => {
        const updated = await h.adapters.store.updateDocument(...args);
        if (args[2].servingGeneration !== undefined) await probe("after the switch");
        return updated;
      },
    };
    const indexHandler = createIndexRecordHandler(
      { ...h.indexPorts, vectors, store },
      { leaseSeconds: LEASE_SECONDS },
    );
    const before = (await h.store.getDocument(documentId))?.generation as number;
    h.workspace.appendParagraph(
      pages.runbook,
      `A new paragraph about the ${TOPIC}, so the page is reindexed.`,
    );
    h.clock.advance(61_000);
    await h.sync(documentId);
    for (const message of await h.receiveAll(h.queues.indexQueue.queueUrl)) {
      await indexHandler(h.record(message.Body ?? ""));
    }
    expect(seen.map((probe) => probe.stage)).toEqual([
      "after upsert",
      "after the switch",
      "after old vectors deleted",
    ]);
    // The old generation until the new one is all written, then the new one only.
    expect(seen.map((probe) => probe.generations)).toEqual([[before], [before + 1], [before + 1]]);
  });

  it("never returns an archived document, nor one removed while its vectors linger", async () => {
    const faq = documentOf(DATASET, pages.faq);
    // Removed from the table but not from Pinecone (a run that died between the two).
    const document = await h.store.getDocument(faq);
    await h.store.deleteDocument(faq, document?.generation as number);
    expect((await h.pinecone.ids(`${TENANT}.${DATASET}`)).some((id) => id.startsWith(`${faq}#`))).toBe(true);
    const { matches } = await client(keys.acme).query(ask({ topK: 50 }));
    expect(matches.map((match) => match.documentId)).not.toContain(faq);

    const runbook = documentOf(DATASET, pages.runbook);
    h.workspace.trashPage(pages.runbook);
    h.clock.advance(61_000);
    await h.sync(runbook);
    await h.drainIndexQueue();
    expect((await h.store.getDocument(runbook))?.archived).toBe(true);
    const after = await client(keys.acme).query(ask({ topK: 50 }));
    expect(after.matches.map((match) => match.documentId)).not.toContain(runbook);
  });
});

describe("vectors indexed before the filter metadata", () => {
  it("`dataset reindex` re-indexes the documents whose vectors predate it, once; --all every one", async () => {
    const documentId = documentOf(NARROW_DATASET, pages.narrow);
    const document = (await h.store.getDocument(documentId)) as Document;
    expect(document.dataSourceInfo.metadataVersion).toBe(VECTOR_METADATA_VERSION);
    // As a document indexed by an earlier version looks.
    const { metadataVersion: _current, ...older } = document.dataSourceInfo;
    await h.store.updateDocument(documentId, document.generation, { dataSourceInfo: older });
    const dataset = (await h.store.getDataset(TENANT, NARROW_DATASET)) as Dataset;
    const ports = { store: h.store, syncQueue: h.adapters.syncQueue };
    expect(await reindexDataset(ports, dataset, { outdatedMetadata: true })).toEqual({
      documents: 1,
      queued: 1,
    });
    await h.settle();
    const reindexed = (await h.store.getDocument(documentId)) as Document;
    expect(reindexed.generation).toBe(document.generation + 1);
    expect(reindexed.dataSourceInfo.metadataVersion).toBe(VECTOR_METADATA_VERSION);
    expect(await reindexDataset(ports, dataset, { outdatedMetadata: true })).toEqual({
      documents: 1,
      queued: 0,
    });
    expect(await reindexDataset(ports, dataset, { all: true })).toEqual({ documents: 1, queued: 1 });
    await h.settle();
  });
});

describe("errors", () => {
  it("answer one shape, with a one-line reason", async () => {
    const auth = { authorization: `Bearer ${keys.acme}` };
    const cases: [Promise<{ status: number; body: Answer }>, number, string][] = [
      [post({ query: "x" }, auth), 400, "invalid_request"],
      [post("{not json", auth), 400, "invalid_request"],
      [post(ask({ topK: 51 }), auth), 400, "invalid_request"],
      [post({ ...ask(), extra: true }, auth), 400, "invalid_request"],
      [post(ask(), { ...auth, "content-type": "text/plain" }), 415, "unsupported_media_type"],
      [post(JSON.stringify({ ...ask(), query: "x".repeat(40_000) }), auth), 413, "payload_too_large"],
      [post(ask({ datasetId: "nope" }), auth), 404, "not_found"],
      [
        recordingFetch(new URL("v1/query", url), { headers: auth }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as Answer,
        })),
        405,
        "method_not_allowed",
      ],
      [
        recordingFetch(new URL("v2/else", url), { method: "POST", headers: auth }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as Answer,
        })),
        404,
        "not_found",
      ],
    ];
    for (const [answer, status, code] of cases) {
      const { status: got, body } = await answer;
      expect({ status: got, code: body.error?.code }).toEqual({ status, code });
      expect(Object.keys(body)).toEqual(["error"]);
      expect(body.error.message).toMatch(/^[^\n]+$/);
    }
  });

  it("reach the client as a typed error", async () => {
    const error = await client(keys.acme)
      .query(ask({ topK: 0 }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueryApiError);
    expect(error).toMatchObject({ status: 400, code: "invalid_request" });
    expect((error as Error).message).toContain("topK");
  });
});

describe("the contract", () => {
  it("every answer above is what docs/api/openapi.json says its status answers", () => {
    const validator = openApiValidator();
    expect(new Set(answers.map((answer) => answer.status))).toEqual(
      new Set([200, 400, 401, 403, 404, 405, 413, 415, 429]),
    );
    const broken = answers
      .map((answer) => ({
        status: answer.status,
        problem: validator.checkAnswer(answer.status, answer.body),
      }))
      .filter((checked) => checked.problem !== null);
    expect(broken).toEqual([]);
  });
});
