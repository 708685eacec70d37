/**
 * The scheduled sweep against the Notion stand-in (request counting, minute-rounded times, trash,
 * 404 and injected 429s): cost in proportion to what changed, deletions propagated, nothing lost.
 */
import { DeleteItemCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Document } from "../../lib/core/model.js";
import { keys } from "../../lib/shared/table-layout.js";
import type { SweepResult } from "../../lib/sync/sweep.js";
import { paragraph } from "../../local/notion-blocks.js";
import { DATASET, type Harness, startHarness, TENANT, WORKSPACE } from "../support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function runSweep(message: object = {}): Promise<SweepResult> {
  h.notion.resetCounts();
  const result = await h.syncHandler(
    h.record(JSON.stringify({ type: "sweep", tenantId: TENANT, ...message })),
  );
  return result as SweepResult;
}

/** The binding's rate budget item's key. */
function budgetKey() {
  const { pk, sk } = keys.rateBudget(`notion#${TENANT}#${WORKSPACE}`);
  return { pk: { S: pk }, sk: { S: sk } };
}

function notionRequests(): number {
  return Object.values(h.notion.requestCounts()).reduce((sum, count) => sum + count, 0);
}

async function indexedPage(title: string, text = `${title} body text`) {
  const pageId = h.workspace.addPage({ title, blocks: [paragraph(text)] });
  h.clock.advance(61_000); // the read happens after the edit's minute: no same-minute re-check
  const [documentId] = (await h.register(pageId)) as [string];
  await h.syncAndIndex(documentId);
  expect((await h.store.getDocument(documentId))?.indexingStatus).toBe("completed");
  return { pageId, documentId };
}

async function segmentText(documentId: string) {
  return (await h.store.listSegments(documentId)).map((segment) => segment.content).join("\n");
}

describe("sweep", () => {
  it("lists a large workspace page by page and enqueues nothing when nothing changed", async () => {
    // 250 registered pages that are already indexed: the document records say so directly, with
    // each page's own last_edited_time and a read a minute after it.
    for (let i = 0; i < 250; i++) {
      const pageId = h.workspace.addPage({ title: `Bulk ${i}`, blocks: [paragraph(`bulk ${i}`)] });
      const [documentId] = (await h.register(pageId)) as [string];
      const document = (await h.store.getDocument(documentId)) as Document;
      const lastEditedTime = h.workspace.visiblePage(pageId)?.lastEditedTime as string;
      await h.store.updateDocument(documentId, 0, {
        indexingStatus: "completed",
        dataSourceInfo: {
          ...document.dataSourceInfo,
          type: "page",
          lastEditedTime,
          contentReadAt: new Date(Date.parse(lastEditedTime) + 61_000).toISOString(),
        },
      });
    }
    h.clock.advance(2 * 60_000);

    const result = await runSweep();

    expect(result.enqueued).toBe(0);
    expect(result.listed).toBeGreaterThanOrEqual(250);
    const counts = h.notion.requestCounts();
    expect(counts["POST /v1/search"]).toBe(Math.ceil(result.listed / 100));
    expect(counts["GET /v1/pages/:id"] ?? 0).toBe(0);
    expect(await h.queueDepth(h.queues.syncQueue.queueUrl)).toMatchObject({ visible: 0, delayed: 0 });
    // Registering 250 pages one by one takes a while on a busy machine; this bounds a hang, not speed.
  }, 120_000);

  it("finds an edit and re-indexes only that page", async () => {
    const edited = await indexedPage("Sweep edited", "original wording");
    const untouched = await indexedPage("Sweep untouched");
    h.clock.advance(61_000);
    h.workspace.editPage(edited.pageId, [paragraph("fresh wording after the edit")]);
    h.clock.advance(61_000);

    const result = await runSweep();
    expect(result.reasons).toMatchObject({ edited: 1 });
    await h.settle();

    expect(await segmentText(edited.documentId)).toContain("fresh wording");
    expect((await h.store.getDocument(edited.documentId))?.generation).toBe(2);
    expect((await h.store.getDocument(untouched.documentId))?.generation).toBe(1);
  });

  it("finds an edit made in the same minute as the read on the next sweep", async () => {
    const pageId = h.workspace.addPage({ title: "Same-minute sweep", blocks: [paragraph("first text")] });
    const [documentId] = (await h.register(pageId)) as [string];
    await h.syncAndIndex(documentId); // read inside the minute of the page's last edit
    h.workspace.appendParagraph(pageId, "second text in the same minute");

    const result = await runSweep();
    expect(result.reasons).toMatchObject({ "read-in-edit-minute": 1 });
    await h.settle();
    expect(await segmentText(documentId)).toContain("second text in the same minute");

    // Once the content was read after that minute, the next sweep leaves it alone.
    h.clock.advance(61_000);
    await h.sync(documentId); // a re-check that finds the same content
    await h.settle();
    const generation = (await h.store.getDocument(documentId))?.generation;
    const quiet = await runSweep();
    expect(quiet.reasons["read-in-edit-minute"] ?? 0).toBe(0);
    await h.settle();
    expect((await h.store.getDocument(documentId))?.generation).toBe(generation);
  });

  it("propagates trash, delete and unshare within one sweep, and re-indexes a restored page", async () => {
    const trashed = await indexedPage("Sweep trashed");
    const deleted = await indexedPage("Sweep deleted");
    const unshared = await indexedPage("Sweep unshared");
    h.workspace.trashPage(trashed.pageId);
    h.workspace.deletePage(deleted.pageId);
    h.workspace.unsharePage(unshared.pageId);

    const result = await runSweep();
    expect(result.reasons).toMatchObject({ absent: 3 });
    await h.settle();

    for (const { documentId } of [trashed, deleted, unshared]) {
      expect(await h.store.getDocument(documentId)).toMatchObject({
        indexingStatus: "archived",
        archived: true,
      });
      expect((await h.vectorIds()).filter((id) => id.startsWith(`${documentId}#`))).toEqual([]);
    }
    // Settled archived documents cost nothing on the next sweep.
    expect((await runSweep()).enqueued).toBe(0);

    h.clock.advance(61_000);
    h.workspace.restorePage(trashed.pageId);
    const restored = await runSweep();
    expect(restored.reasons).toMatchObject({ restored: 1 });
    await h.settle();
    expect(await h.store.getDocument(trashed.documentId)).toMatchObject({
      indexingStatus: "completed",
      archived: false,
    });
    expect((await h.vectorIds()).some((id) => id.startsWith(`${trashed.documentId}#`))).toBe(true);
  });

  it("re-syncs a database document when one of its rows changes", async () => {
    const { databaseId, dataSourceId } = h.workspace.addDatabase({
      title: "Sweep catalog",
      columns: { Name: "title", Owner: "rich_text" },
      rows: [{ Name: "Search API", Owner: "Team A" }],
    });
    h.clock.advance(61_000);
    const [documentId] = (await h.register(databaseId)) as [string];
    await h.syncAndIndex(documentId);
    h.clock.advance(61_000);
    expect((await runSweep()).reasons["rows-edited"] ?? 0).toBe(0);

    h.workspace.addRow(dataSourceId, { Name: "Billing API", Owner: "Team B" });
    const result = await runSweep();
    expect(result.reasons).toMatchObject({ "rows-edited": 1 });
    await h.settle();
    expect(await segmentText(documentId)).toContain("Billing API");
  });

  it("absorbs a 429 storm: the sweep goes back to the queue with Retry-After's delay, nothing is lost", async () => {
    const { pageId, documentId } = await indexedPage("Storm");
    h.clock.advance(61_000);
    h.workspace.editPage(pageId, [paragraph("text written during the storm")]);
    h.notion.faults.failNext(50, 429, 30);
    h.notion.resetCounts();
    try {
      const outcome = await h.syncHandler(h.record(JSON.stringify({ type: "sweep", tenantId: TENANT })));
      expect(outcome).toBeUndefined(); // handled by requeueing, not by failing the record
      expect(await h.queueDepth(h.queues.syncQueue.queueUrl)).toMatchObject({ delayed: 1 });
      expect(notionRequests()).toBeLessThan(5); // no sleeping and hammering inside the function
    } finally {
      h.notion.faults.clear();
    }
    // The 429 pushed the binding's whole budget back: run at once, the sweep asks Notion nothing
    // and goes back to the queue again.
    expect(await runSweep()).toBeUndefined();
    expect(notionRequests()).toBe(0);
    const budget = await h.adapters.dynamodb.send(
      new GetItemCommand({ TableName: h.env.TABLE_NAME, Key: budgetKey() }),
    );
    expect(Number(budget.Item?.tat?.N)).toBeGreaterThan(Date.now() + 20_000);
    // When the delay is over the sweep runs again: here the push-back is removed instead of waited out.
    await h.adapters.dynamodb.send(new DeleteItemCommand({ TableName: h.env.TABLE_NAME, Key: budgetKey() }));
    expect((await runSweep()).reasons).toMatchObject({ edited: 1 });
    await h.settle();
    expect(await segmentText(documentId)).toContain("during the storm");
  });

  it("reconcile checks every registered document directly, spread out in time", async () => {
    const before = await h.queueDepth(h.queues.syncQueue.queueUrl); // the storm's delayed sweep
    const result = await runSweep({ datasetId: DATASET, mode: "reconcile" });
    const documents = await h.store.listDocuments({ tenantId: TENANT, datasetId: DATASET });
    const inScope = documents.filter((document) => document.enabled && !document.isPaused);
    expect(result.enqueued).toBe(inScope.length);
    expect(result.listed).toBe(0);
    expect(notionRequests()).toBe(0);
    const depth = await h.queueDepth(h.queues.syncQueue.queueUrl);
    expect(depth.visible + depth.delayed - before.visible - before.delayed).toBe(inScope.length);
    expect(depth.delayed).toBeGreaterThan(0);
    await h.receiveAll(h.queues.syncQueue.queueUrl);
  });
});

describe("a sweep whose token Notion refuses", () => {
  it("marks the binding disconnected and has each document say reconnect Notion, deleting nothing", async () => {
    const { documentId } = await indexedPage("Swept with a refused token");
    const { token, undo } = await h.ownBinding(documentId, "ws-sweep-refused");
    try {
      const vectorsBefore = await h.pinecone.ids(h.namespace);
      h.notion.revokeToken(token);

      const result = await runSweep({ workspaceId: "ws-sweep-refused" });

      expect(result.reasons).toMatchObject({ "binding-unusable": 1 });
      expect((await h.store.getBinding(TENANT, "ws-sweep-refused"))?.disconnected?.reason).toMatch(
        /reconnect Notion/,
      );
      await h.settle();
      expect((await h.store.getDocument(documentId))?.error).toBe(
        "Notion refused the token for workspace ws-sweep-refused: reconnect Notion",
      );
      expect(await h.pinecone.ids(h.namespace)).toEqual(vectorsBefore);
    } finally {
      undo();
    }
  });
});
