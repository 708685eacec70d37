/**
 * The fast tier: the sync and index use cases over in-memory ports (test/support/memory-ports.ts),
 * each case in milliseconds. The correctness rules (docs/architecture.md) checked here are checked
 * again end to end on the stand-ins by the integration, chaos and e2e tiers.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { namespaceFor } from "../../lib/core/model.js";
import type { Log } from "../../lib/core/ports.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { createLocalEmbedder } from "../../lib/embedding/local-embedder.js";
import { indexDocument } from "../../lib/indexing/index-document.js";
import { syncDocument } from "../../lib/sync/sync-document.js";
import {
  createFakeNotion,
  createMemoryCheckpoints,
  createMemoryParentIndex,
  createMemoryQueue,
  createMemoryStore,
  createMemoryVectorIndex,
  memorySecrets,
} from "../support/memory-ports.js";

const TENANT = "acme";
const DATASET = "handbook";
const PAGE = "0123abcd-0000-4000-8000-000000000001";
const TOKEN = "fake-notion-token";
const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };
const LEASE = { leaseSeconds: 60 };

function world() {
  let now = Date.parse("2026-12-04T09:00:00Z");
  const notion = createFakeNotion(TOKEN);
  const ports = {
    store: createMemoryStore(),
    vectors: createMemoryVectorIndex(),
    checkpoints: createMemoryCheckpoints(),
    parents: createMemoryParentIndex(),
    indexQueue: createMemoryQueue(),
    syncQueue: createMemoryQueue(),
    secrets: memorySecrets({ "secretsmanager:acme-notion": TOKEN }),
    notion,
    embedder: createLocalEmbedder(64),
    clock: { now: () => new Date(now) },
    log: quiet,
  };
  return {
    ports,
    notion,
    advance(ms: number) {
      now += ms;
    },
    /** Notion's edit: a later `last_edited_time`, rounded to the minute as Notion does. */
    edit(paragraphs: string[]) {
      now += 120_000;
      const page = notion.pages.get(PAGE);
      if (!page) throw new Error("no page");
      page.paragraphs = paragraphs;
      page.lastEditedTime = new Date(Math.floor(now / 60_000) * 60_000).toISOString();
      now += 120_000;
    },
  };
}

type World = ReturnType<typeof world>;

async function registered(w: World): Promise<string> {
  await w.ports.store.putBinding({
    tenantId: TENANT,
    provider: "notion",
    workspaceId: "ws",
    tokenRef: "secretsmanager:acme-notion",
    disabled: false,
  });
  w.notion.pages.set(PAGE, {
    title: "Runbook",
    lastEditedTime: "2026-12-04T08:00:00.000Z",
    paragraphs: ["Page the on-call engineer when the database is down.", "Then open an incident."],
  });
  const [document] = await registerDocuments(w.ports, {
    tenantId: TENANT,
    datasetId: DATASET,
    workspaceId: "ws",
    pageIds: [PAGE],
    embeddingModel: w.ports.embedder.model,
  });
  w.ports.syncQueue.take();
  return document?.documentId ?? "";
}

/** Runs the sync, then every index message it sent, as the two functions would. */
async function syncAndIndex(w: World, documentId: string) {
  const sync = await syncDocument(w.ports, { tenantId: TENANT, datasetId: DATASET, documentId }, LEASE);
  const indexed = [];
  for (const message of w.ports.indexQueue.take()) {
    indexed.push(await indexDocument(w.ports, message as Parameters<typeof indexDocument>[1], LEASE));
  }
  return { sync, indexed };
}

const vectorIds = (w: World) => [
  ...(w.ports.vectors.namespaces.get(namespaceFor(TENANT, DATASET))?.keys() ?? []),
];

let w: World;
let documentId: string;

beforeEach(async () => {
  w = world();
  documentId = await registered(w);
});

describe("sync and index over in-memory ports", () => {
  it("indexes a new page: one generation, segment ids equal vector ids, counts returned", async () => {
    const { sync, indexed } = await syncAndIndex(w, documentId);
    expect(sync).toMatchObject({ outcome: "queued", generation: 1 });
    expect(indexed).toMatchObject([{ outcome: "completed", generation: 1 }]);
    expect(indexed[0]?.counts.segmentsWritten).toBeGreaterThan(0);
    const segments = await w.ports.store.listSegments(documentId);
    expect(segments.map((s) => `${documentId}#1#${s.position}`).sort()).toEqual(vectorIds(w).sort());
    expect((await w.ports.store.getDocument(documentId))?.indexingStatus).toBe("completed");
    // The title is embedded with each chunk but is not part of what a reader is shown.
    expect((await w.ports.store.listSegments(documentId))[0]?.content.startsWith("Runbook")).toBe(false);
  });

  it("leaves an unchanged page alone: no claim, no extraction, no message", async () => {
    await syncAndIndex(w, documentId);
    w.advance(600_000);
    const reads = w.notion.reads;
    const { sync, indexed } = await syncAndIndex(w, documentId);
    expect(sync.outcome).toBe("unchanged");
    expect(indexed).toEqual([]);
    expect(w.notion.reads - reads).toBe(1);
    expect((await w.ports.store.getDocument(documentId))?.generation).toBe(1);
  });

  it("re-indexes an edit and keeps only the new generation (rule 4)", async () => {
    await syncAndIndex(w, documentId);
    w.edit(["The runbook moved to the wiki."]);
    const { sync, indexed } = await syncAndIndex(w, documentId);
    expect(sync).toMatchObject({ outcome: "queued", generation: 2 });
    expect(indexed).toMatchObject([{ outcome: "completed", generation: 2 }]);
    expect(vectorIds(w).every((id) => id.startsWith(`${documentId}#2#`))).toBe(true);
    const segments = await w.ports.store.listSegments(documentId);
    expect(new Set(segments.map((s) => s.generation))).toEqual(new Set([2]));
    expect(segments.map((s) => s.content).join(" ")).toContain("wiki");
  });

  it("says how late each change was served: from the registration, from the edit, and not for the same text", async () => {
    // Registered at 09:00, the page last edited at 08:00: late since the registration, not the edit.
    const first = await syncAndIndex(w, documentId);
    expect(first.indexed[0]?.freshness).toEqual({
      changedAt: "2026-12-04T09:00:00.000Z",
      servedAt: "2026-12-04T09:00:00.000Z",
    });
    w.edit(["The runbook moved to the wiki."]);
    const edited = await syncAndIndex(w, documentId);
    // Edited at 09:02 (Notion's minute), served at 09:04.
    expect(edited.indexed[0]?.freshness).toEqual({
      changedAt: "2026-12-04T09:02:00.000Z",
      servedAt: "2026-12-04T09:04:00.000Z",
    });
    // A re-index of the same text (as after a rule change: the indexed edit time is cleared).
    const document = await w.ports.store.getDocument(documentId);
    if (!document) throw new Error("no document");
    await w.ports.store.updateDocument(documentId, document.generation, {
      dataSourceInfo: { ...document.dataSourceInfo, lastEditedTime: undefined },
    });
    const again = await syncAndIndex(w, documentId);
    expect(again.indexed).toMatchObject([{ outcome: "completed", generation: 3 }]);
    expect(again.indexed[0]?.freshness).toBeUndefined();
  });

  it("removes every vector and segment of a page archived in Notion (rule 7)", async () => {
    await syncAndIndex(w, documentId);
    w.edit([]);
    const page = w.notion.pages.get(PAGE);
    if (page) page.archived = true;
    const { sync } = await syncAndIndex(w, documentId);
    expect(sync.outcome).toBe("archived");
    expect(vectorIds(w)).toEqual([]);
    expect(await w.ports.store.listSegments(documentId)).toEqual([]);
  });

  it("drops an index message whose generation was overtaken, writing nothing (rule 3)", async () => {
    await syncDocument(w.ports, { tenantId: TENANT, datasetId: DATASET, documentId }, LEASE);
    const [stale] = w.ports.indexQueue.take();
    // The lease runs out and a later sync takes the document over as generation 2.
    w.advance(61_000);
    w.edit(["Newer text."]);
    await syncDocument(w.ports, { tenantId: TENANT, datasetId: DATASET, documentId }, LEASE);
    const result = await indexDocument(w.ports, stale as Parameters<typeof indexDocument>[1], LEASE);
    expect(result.outcome).not.toBe("completed");
    expect(vectorIds(w)).toEqual([]);
    expect(await w.ports.store.listSegments(documentId)).toEqual([]);
  });

  it("lets one sync at a time hold a document (rule 2)", async () => {
    const message = { tenantId: TENANT, datasetId: DATASET, documentId };
    const first = await syncDocument(w.ports, message, LEASE);
    const second = await syncDocument(w.ports, message, LEASE);
    expect(first.outcome).toBe("queued");
    expect(second.outcome).toBe("busy");
    expect(w.ports.indexQueue.sent).toHaveLength(1);
  });

  it("skips a paused document, and acknowledges one that does not exist", async () => {
    await w.ports.store.setPaused(documentId, true);
    const paused = await syncDocument(w.ports, { tenantId: TENANT, datasetId: DATASET, documentId }, LEASE);
    expect(paused.outcome).toBe("paused");
    const missing = await syncDocument(
      w.ports,
      { tenantId: TENANT, datasetId: DATASET, documentId: "no-such-document" },
      LEASE,
    );
    expect(missing.outcome).toBe("missing");
  });

  it("never sends an empty delete to the vector index (rule 6)", async () => {
    const { indexed } = await syncAndIndex(w, documentId);
    expect(indexed[0]?.counts.vectorsDeleted).toBe(0);
    const requests = w.ports.vectors.requests;
    expect(await w.ports.vectors.deleteIds(namespaceFor(TENANT, DATASET), [])).toBe(0);
    expect(w.ports.vectors.requests).toBe(requests);
  });
});
