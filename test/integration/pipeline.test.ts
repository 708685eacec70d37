/**
 * The sync → index pipeline with real adapters over HTTP to the stand-ins (the correctness rules of docs/architecture.md).
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WORKING_STATUSES } from "../../lib/core/model.js";
import { pauseDocument, resumeDocument } from "../../lib/documents/pause.js";
import type { IndexResult } from "../../lib/indexing/index-document.js";
import { removeGenerations } from "../../lib/indexing/remove-generations.js";
import { createSyncRecordHandler } from "../../lib/sqs-records/sync-record.js";
import type { SyncResult } from "../../lib/sync/sync-document.js";
import { block, heading1, paragraph } from "../../local/notion-blocks.js";
import {
  countCalls,
  DATASET,
  type Harness,
  LEASE_SECONDS,
  STORE_WRITES,
  startHarness,
  TENANT,
  TEST_TOKEN,
  TEST_TOKEN_REF,
  WORKSPACE,
} from "../support/harness.js";

/** A page long enough to need several 500-token chunks. */
function longPage(topic: string, paragraphs = 12) {
  return [
    heading1(`${topic} overview`),
    ...Array.from({ length: paragraphs }, (_, i) =>
      paragraph(
        `${topic} paragraph ${i}: ` +
          "Every team member keeps the runbook current, writes down what they learn during incidents, and shares it at the weekly review so that the next person on call starts from a better place. ".repeat(
            3,
          ),
      ),
    ),
  ];
}

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function segmentIds(documentId: string) {
  return (await h.store.listSegments(documentId)).map((segment) => segment.indexNodeId).sort();
}

async function vectorIdsOf(documentId: string) {
  return (await h.vectorIds()).filter((id) => id.startsWith(`${documentId}#`)).sort();
}

/**
 * A page indexed once. Its last edit is over a minute older than the read, so the index is
 * certain (rule 5) and a later sync needs no content re-check.
 */
async function indexedDocument(topic: string) {
  const pageId = h.workspace.addPage({ title: topic, blocks: longPage(topic) });
  h.clock.advance(61_000);
  const [documentId] = await h.register(pageId);
  const { sync, indexed } = await h.syncAndIndex(documentId as string);
  expect((sync as SyncResult).outcome).toBe("queued");
  expect(indexed.map((result) => result.outcome)).toEqual(["completed"]);
  return { pageId, documentId: documentId as string };
}

describe("sync → index", () => {
  it("indexes a new page: one generation, segment ids equal vector ids, counts returned", async () => {
    const pageId = h.workspace.addPage({ title: "Handbook", blocks: longPage("Handbook") });
    const [documentId] = (await h.register(pageId)) as [string];
    const { sync, indexed } = await h.syncAndIndex(documentId);
    expect(sync).toMatchObject({ outcome: "queued", generation: 1 });
    const result = indexed[0] as IndexResult;
    expect(result.outcome).toBe("completed");

    const document = await h.store.getDocument(documentId);
    expect(document).toMatchObject({
      indexingStatus: "completed",
      generation: 1,
      title: "Handbook",
      tenantId: TENANT,
    });
    expect(document?.lease).toBeUndefined();
    expect(document?.segmentCount).toBeGreaterThan(1);
    expect(document?.dataSourceInfo.lastEditedTime).toMatch(/:00\.000Z$/);
    expect(result.counts).toMatchObject({
      segmentsWritten: document?.segmentCount,
      embedded: document?.segmentCount,
      cached: 0,
    });
    expect(result.counts.tokens).toBeGreaterThan(0);

    const segments = await segmentIds(documentId);
    expect(segments).toEqual(await vectorIdsOf(documentId));
    expect(segments.every((id) => id.startsWith(`${documentId}#1#`))).toBe(true);
    const segment = (await h.store.listSegments(documentId))[0];
    expect(segment?.source).toMatch(/^https:\/\/www\.notion\.so\/.+#[0-9a-f]{32}$/);
    expect(segment?.headingPath).toEqual(["Handbook overview"]);
  });

  it("indexes the rest of a page around blocks it cannot read, and notes the gap in the document", async () => {
    const original = h.workspace.addPage({ title: "Private source", blocks: [] });
    const hidden = h.workspace.appendParagraph(original, "Only for the security team.");
    h.workspace.unsharePage(original);
    const pageId = h.workspace.addPage({
      title: "Edges",
      blocks: [
        paragraph("Kept before."),
        block("unsupported", {}),
        block("synced_block", { synced_from: { type: "block_id", block_id: hidden } }),
        paragraph("Kept after."),
      ],
    });
    const [documentId] = (await h.register(pageId)) as [string];
    const { indexed } = await h.syncAndIndex(documentId);
    expect(indexed.map((result) => result.outcome)).toEqual(["completed"]);
    const content = (await h.store.listSegments(documentId)).map((segment) => segment.content).join("\n");
    expect(content).toContain("Kept before.");
    expect(content).toContain("Kept after.");
    expect(content).not.toContain("security team");
    const document = await h.store.getDocument(documentId);
    expect(document?.indexingStatus).toBe("completed");
    expect(document?.lastRun?.gaps).toEqual({ unsupported: 1, synced_block: 1 });
  });

  it("leaves an unchanged page alone: no content fetch, no write to DynamoDB or Pinecone", async () => {
    const { documentId } = await indexedDocument("Unchanged");
    const before = await h.store.getDocument(documentId);
    const notionBefore = h.notion.requestCounts();
    const pineconeBefore = h.pinecone.requestCounts();
    const storeCalls: Record<string, number> = {};
    const handler = createSyncRecordHandler(
      { ...h.syncPorts, store: countCalls(h.store, storeCalls) },
      { leaseSeconds: LEASE_SECONDS },
    );

    const result = await handler(h.record(JSON.stringify({ datasetId: DATASET, documentId })));

    expect(result).toMatchObject({ outcome: "unchanged" });
    const notionAfter = h.notion.requestCounts();
    expect(notionAfter["GET /v1/blocks/:id/children"] ?? 0).toBe(
      notionBefore["GET /v1/blocks/:id/children"] ?? 0,
    );
    expect((notionAfter["GET /v1/pages/:id"] ?? 0) - (notionBefore["GET /v1/pages/:id"] ?? 0)).toBe(1);
    expect(h.pinecone.requestCounts()).toEqual(pineconeBefore);
    expect(STORE_WRITES.filter((method) => storeCalls[method])).toEqual([]);
    expect(await h.store.getDocument(documentId)).toEqual(before);
    expect(await h.receiveAll(h.queues.indexQueue.queueUrl)).toEqual([]);
  });

  it("re-indexes a changed page: old segments and vectors gone, new ones present, one generation", async () => {
    const { pageId, documentId } = await indexedDocument("Changing");
    const oldIds = await segmentIds(documentId);
    h.clock.advance(60_000);
    h.workspace.editPage(pageId, longPage("Rewritten", 6));

    const sync = await h.sync(documentId);
    expect(sync).toMatchObject({ outcome: "queued", generation: 2 });
    // Until the new generation is written, search still answers from the old one.
    expect(await vectorIdsOf(documentId)).toEqual(oldIds);
    const indexed = await h.drainIndexQueue();

    expect(indexed[0]).toMatchObject({
      outcome: "completed",
      counts: { segmentsDeleted: oldIds.length, vectorsDeleted: oldIds.length },
    });
    const newIds = await segmentIds(documentId);
    expect(newIds.length).toBeGreaterThan(0);
    expect(newIds.every((id) => id.startsWith(`${documentId}#2#`))).toBe(true);
    expect(newIds).toEqual(await vectorIdsOf(documentId));
    const contents = (await h.store.listSegments(documentId)).map((segment) => segment.content).join(" ");
    expect(contents).toContain("Rewritten paragraph 0");
    expect(contents).not.toContain("Changing paragraph");
  });

  it("catches an edit made in the same minute as the read, and a same-minute re-check of equal content changes nothing", async () => {
    const pageId = h.workspace.addPage({ title: "Same minute", blocks: longPage("Same minute", 2) });
    const [documentId] = (await h.register(pageId)) as [string];
    await h.syncAndIndex(documentId);
    // Still inside the minute: Notion's last_edited_time cannot tell us whether anything changed.
    const recheck = await h.syncAndIndex(documentId);
    expect(recheck.sync).toMatchObject({ outcome: "unchanged" });
    expect((await h.store.getDocument(documentId))?.generation).toBe(1);

    const minute = (await h.store.getDocument(documentId))?.dataSourceInfo.lastEditedTime;
    h.workspace.appendParagraph(pageId, "A late addition about the parking policy.");
    expect(h.workspace.stamp()).toBe(minute); // the edit did not move last_edited_time
    const edited = await h.syncAndIndex(documentId);
    expect(edited.sync).toMatchObject({ outcome: "queued", generation: 2 });
    const contents = (await h.store.listSegments(documentId)).map((segment) => segment.content).join(" ");
    expect(contents).toContain("parking policy");
  });

  it("acknowledges an unknown document and touches nothing", async () => {
    const storeCalls: Record<string, number> = {};
    const pineconeBefore = h.pinecone.requestCounts();
    const handler = createSyncRecordHandler(
      { ...h.syncPorts, store: countCalls(h.store, storeCalls) },
      { leaseSeconds: LEASE_SECONDS },
    );

    const result = await handler(
      h.record(JSON.stringify({ datasetId: DATASET, documentId: "no-such-document" })),
    );

    expect(result).toMatchObject({ outcome: "missing" });
    expect(h.logs.some((line) => line.level === "warn" && line.extra.documentId === "no-such-document")).toBe(
      true,
    );
    expect(STORE_WRITES.filter((method) => storeCalls[method])).toEqual([]);
    expect(h.pinecone.requestCounts()).toEqual(pineconeBefore);
    expect(await h.receiveAll(h.queues.indexQueue.queueUrl)).toEqual([]);
    expect(await h.receiveAll(h.queues.syncDlq.queueUrl)).toEqual([]);
  });

  it("sets status error with an actionable reason when the binding is missing, and keeps the old content", async () => {
    const { pageId, documentId } = await indexedDocument("Unbound");
    const vectorsBefore = await vectorIdsOf(documentId);
    await h.store.putBinding({
      tenantId: TENANT,
      provider: "notion",
      workspaceId: WORKSPACE,
      tokenRef: TEST_TOKEN_REF,
      disabled: true,
    });
    h.clock.advance(60_000);
    h.workspace.appendParagraph(pageId, "New text that cannot be read yet.");
    try {
      const { sync } = await h.syncAndIndex(documentId);
      expect(sync).toMatchObject({ outcome: "error" });
      const document = await h.store.getDocument(documentId);
      expect(document?.indexingStatus).toBe("error");
      expect(document?.error).toMatch(/reconnect Notion/);
      expect(document?.stoppedAt).toBeDefined();
      expect(await vectorIdsOf(documentId)).toEqual(vectorsBefore);
    } finally {
      await h.store.putBinding({
        tenantId: TENANT,
        provider: "notion",
        workspaceId: WORKSPACE,
        tokenRef: TEST_TOKEN_REF,
        disabled: false,
      });
    }
    // Once Notion is reconnected, the next sync retries it.
    const { sync, indexed } = await h.syncAndIndex(documentId);
    expect(sync).toMatchObject({ outcome: "queued" });
    expect(indexed[0]?.outcome).toBe("completed");
  });

  it("sets status error when Notion answers 401, without the token in the reason or the logs", async () => {
    const { pageId, documentId } = await indexedDocument("Revoked");
    const vectorsBefore = await vectorIdsOf(documentId);
    const revokedRef = h.secretsManager.put("test/notion/revoked", "revoked-token-value-1234");
    await h.store.putBinding({
      tenantId: TENANT,
      provider: "notion",
      workspaceId: "ws-revoked",
      tokenRef: revokedRef,
      disabled: false,
    });
    const document = await h.store.getDocument(documentId);
    // Move the document to the revoked workspace's binding.
    await h.store.updateDocument(documentId, document?.generation ?? 0, {
      dataSourceInfo: { ...(document?.dataSourceInfo ?? { pageId }), workspaceId: "ws-revoked" },
    });

    const { sync } = await h.syncAndIndex(documentId);

    expect(sync).toMatchObject({ outcome: "error" });
    const after = await h.store.getDocument(documentId);
    expect(after?.error).toMatch(/Notion refused the token for workspace .*: reconnect Notion/);
    expect(JSON.stringify(after)).not.toContain("revoked-token-value-1234");
    expect(JSON.stringify(h.logs)).not.toContain("revoked-token-value-1234");
    expect(JSON.stringify(h.logs)).not.toContain(TEST_TOKEN);
    expect(await vectorIdsOf(documentId)).toEqual(vectorsBefore);
  });

  it("marks the binding disconnected when Notion refuses its token during an index run, deleting nothing", async () => {
    const { pageId, documentId } = await indexedDocument("Refused mid-run");
    const { token, undo } = await h.ownBinding(documentId, "ws-midrun");
    try {
      const vectorsBefore = await vectorIdsOf(documentId);
      h.workspace.appendParagraph(pageId, "an edit the index run will not read");
      h.clock.advance(120_000);
      expect(await h.sync(documentId)).toMatchObject({ outcome: "queued" });
      // Removed from the workspace between the sync's check and the index run's read.
      h.notion.revokeToken(token);
      const [indexed] = await h.drainIndexQueue();

      expect(indexed).toMatchObject({ outcome: "error", errorClass: "notion-auth" });
      expect((await h.store.getDocument(documentId))?.error).toBe(
        "Notion refused the token for workspace ws-midrun: reconnect Notion",
      );
      expect((await h.store.getBinding(TENANT, "ws-midrun"))?.disconnected?.reason).toMatch(
        /reconnect Notion/,
      );
      expect(await vectorIdsOf(documentId)).toEqual(vectorsBefore);
      expect(JSON.stringify(h.logs)).not.toContain(token);
    } finally {
      undo();
    }
  });

  it("pauses at the next stage and resume completes the same generation", async () => {
    const pageId = h.workspace.addPage({ title: "Pausable", blocks: longPage("Pausable", 3) });
    const [documentId] = (await h.register(pageId)) as [string];
    expect(await h.sync(documentId)).toMatchObject({ outcome: "queued", generation: 1 });
    await pauseDocument(h.store, documentId);

    const paused = await h.drainIndexQueue();
    expect(paused.map((result) => result.outcome)).toEqual(["paused"]);
    expect(await h.store.getDocument(documentId)).toMatchObject({
      indexingStatus: "paused",
      isPaused: true,
      generation: 1,
    });
    expect(await vectorIdsOf(documentId)).toEqual([]);
    // A paused document is not picked up by a sync either.
    expect(await h.sync(documentId)).toMatchObject({ outcome: "paused" });

    await resumeDocument(h.adapters, documentId);
    const resumed = await h.drainIndexQueue();
    expect(resumed.map((result) => result.outcome)).toEqual(["completed"]);
    expect(await h.store.getDocument(documentId)).toMatchObject({
      indexingStatus: "completed",
      isPaused: false,
      generation: 1,
    });
    expect(await segmentIds(documentId)).toEqual(await vectorIdsOf(documentId));
  });

  it("claims once when the same sync message is delivered twice at once", async () => {
    const pageId = h.workspace.addPage({ title: "Twice", blocks: longPage("Twice", 2) });
    const [documentId] = (await h.register(pageId)) as [string];
    const body = JSON.stringify({ datasetId: DATASET, documentId });

    const results = await Promise.all([h.syncHandler(h.record(body)), h.syncHandler(h.record(body))]);

    const outcomes = results.map((result) => (result as SyncResult).outcome).sort();
    expect(outcomes).toEqual(["busy", "queued"]);
    expect((await h.store.getDocument(documentId))?.generation).toBe(1);
    const indexed = await h.drainIndexQueue();
    expect(indexed.map((result) => result.outcome)).toEqual(["completed"]);
  });

  it("drops an index message of an older generation", async () => {
    const { pageId, documentId } = await indexedDocument("Stale");
    h.clock.advance(60_000);
    h.workspace.appendParagraph(pageId, "Second version.");
    await h.syncAndIndex(documentId);
    const before = await h.store.getDocument(documentId);
    const idsBefore = await vectorIdsOf(documentId);

    const result = await h.indexHandler(
      h.record(JSON.stringify({ datasetId: DATASET, documentId, generation: 1 })),
    );

    expect(result).toMatchObject({ outcome: "stale" });
    expect(await h.store.getDocument(documentId)).toEqual(before);
    expect(await vectorIdsOf(documentId)).toEqual(idsBefore);
  });

  it("recovers a run that died after its claim and before publishing, once its lease expires", async () => {
    const { pageId, documentId } = await indexedDocument("Crash");
    h.clock.advance(60_000);
    h.workspace.appendParagraph(pageId, "Text written before the crash.");
    const crashing = createSyncRecordHandler(
      {
        ...h.syncPorts,
        indexQueue: {
          send: async () => {
            throw new Error("simulated crash before publishing");
          },
        },
      },
      { leaseSeconds: LEASE_SECONDS },
    );

    await expect(crashing(h.record(JSON.stringify({ datasetId: DATASET, documentId })))).rejects.toThrow(
      /simulated crash/,
    );
    const stuck = await h.store.getDocument(documentId);
    expect(stuck).toMatchObject({ indexingStatus: "parsing", generation: 2 });
    expect(stuck?.lease).toBeDefined();
    expect((await vectorIdsOf(documentId)).length).toBeGreaterThan(0); // the old content stays searchable

    // While the lease is live, another sync leaves it alone …
    expect(await h.sync(documentId)).toMatchObject({ outcome: "busy" });
    // … and once it expires, the next sync takes over with a new generation.
    h.clock.advance((LEASE_SECONDS + 1) * 1000);
    const { sync, indexed } = await h.syncAndIndex(documentId);
    expect(sync).toMatchObject({ outcome: "queued", generation: 3 });
    expect(indexed.map((result) => result.outcome)).toEqual(["completed"]);
    const document = await h.store.getDocument(documentId);
    expect(WORKING_STATUSES).not.toContain(document?.indexingStatus);
    expect(document?.lease).toBeUndefined();
    expect((await segmentIds(documentId)).every((id) => id.startsWith(`${documentId}#3#`))).toBe(true);
  });

  it("dead-letters malformed bodies with a reason while the rest of the batch succeeds", async () => {
    const pageId = h.workspace.addPage({ title: "Batch mate", blocks: longPage("Batch mate", 1) });
    const [documentId] = (await h.register(pageId)) as [string];
    const bodies = [
      "not json at all",
      JSON.stringify({ datasetId: DATASET, documentId }),
      JSON.stringify({ datasetId: 42 }),
      "",
    ];
    const event = { Records: bodies.map((body) => h.record(body)) };

    const response = await processPartialResponse(event, h.syncHandler, new BatchProcessor(EventType.SQS), {
      context: {} as Context,
    });

    expect(response.batchItemFailures).toEqual([]);
    expect((await h.store.getDocument(documentId))?.generation).toBe(1);
    const dead = await h.receiveAll(h.queues.syncDlq.queueUrl);
    expect(dead.map((message) => message.Body).sort()).toEqual(
      ["(empty body)", JSON.stringify({ datasetId: 42 }), "not json at all"].sort(),
    );
    const reasons = dead.map((message) => message.MessageAttributes?.reason?.StringValue ?? "");
    expect(reasons.some((reason) => /not valid JSON/.test(reason))).toBe(true);
    expect(reasons.some((reason) => /datasetId/.test(reason))).toBe(true);
    expect(
      dead.every((message) =>
        message.MessageAttributes?.originalMessageId?.StringValue?.startsWith("message-"),
      ),
    ).toBe(true);
    await h.drainIndexQueue();
  });

  it("cleans up a document with no segments without deleting anything of another document", async () => {
    const { documentId: neighbour } = await indexedDocument("Neighbour");
    const neighbourIds = await vectorIdsOf(neighbour);
    const emptyPage = h.workspace.addPage({ title: "Empty", blocks: [] });
    const [emptyDocument] = (await h.register(emptyPage)) as [string];
    const deletesBefore = h.pinecone.requestCounts()["POST /vectors/delete"] ?? 0;

    const removed = await removeGenerations(h.adapters, {
      documentId: emptyDocument,
      namespace: h.namespace,
      keepGeneration: 1,
    });
    const { indexed } = await h.syncAndIndex(emptyDocument);

    expect(removed).toEqual({ segmentsDeleted: 0, vectorsDeleted: 0 });
    expect(h.pinecone.requestCounts()["POST /vectors/delete"] ?? 0).toBe(deletesBefore);
    expect(indexed[0]).toMatchObject({ outcome: "completed", counts: { segmentsWritten: 0 } });
    expect(await vectorIdsOf(neighbour)).toEqual(neighbourIds);
  });

  it("removes a trashed page's vectors and segments, and re-indexes it when restored", async () => {
    const { pageId, documentId } = await indexedDocument("Trashed");
    h.workspace.trashPage(pageId);

    const { sync } = await h.syncAndIndex(documentId);

    expect(sync).toMatchObject({ outcome: "archived" });
    expect(await vectorIdsOf(documentId)).toEqual([]);
    expect(await h.store.listSegments(documentId)).toEqual([]);
    expect(await h.store.getDocument(documentId)).toMatchObject({
      indexingStatus: "archived",
      archived: true,
    });

    h.clock.advance(60_000);
    h.workspace.restorePage(pageId);
    const restored = await h.syncAndIndex(documentId);
    expect(restored.indexed.map((result) => result.outcome)).toEqual(["completed"]);
    expect(await h.store.getDocument(documentId)).toMatchObject({
      indexingStatus: "completed",
      archived: false,
    });
    expect((await vectorIdsOf(documentId)).length).toBeGreaterThan(0);
  });

  it("removes the content of a page that is gone (404)", async () => {
    const { pageId, documentId } = await indexedDocument("Deleted");
    h.workspace.deletePage(pageId);
    const { sync } = await h.syncAndIndex(documentId);
    expect(sync).toMatchObject({ outcome: "archived" });
    expect(await vectorIdsOf(documentId)).toEqual([]);
    expect((await h.store.getDocument(documentId))?.error).toMatch(/deleted or is no longer shared/);
  });
});
