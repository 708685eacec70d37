/**
 * Sweeps at scale on the real stand-ins: a listing that spans invocations and still finds what was
 * deleted, an incomplete listing that deletes nothing, an incremental listing that costs what
 * changed, and a scope's backfill that spans invocations. The invocation "has N checks left", so the number of invocations is deterministic.
 */
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultDataset } from "../../lib/core/datasets.js";
import { setDatasetScope } from "../../lib/scopes/set-scope.js";
import { createSyncRecordHandler } from "../../lib/sqs-records/sync-record.js";
import type { SweepResult } from "../../lib/sync/sweep.js";
import { paragraph } from "../../local/notion-blocks.js";
import { type Harness, LEASE_SECONDS, startHarness, TENANT, WORKSPACE } from "../support/harness.js";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h?.close();
});

function invocationOf(checks: number): Pick<Context, "getRemainingTimeInMillis"> {
  let made = 0;
  return { getRemainingTimeInMillis: () => (++made < checks ? 60_000 : 1_000) };
}

function sweeper(options: { fullListingMaxObjects?: number } = {}) {
  return createSyncRecordHandler(
    { ...h.syncPorts, syncQueue: h.adapters.syncQueue },
    { leaseSeconds: LEASE_SECONDS, stopBeforeDeadlineMs: 20_000, ...options },
  );
}

/** Runs sweep messages (one invocation each) until none is left; unit syncs are set aside. */
async function runSweeps(checksPerInvocation: number, options = {}): Promise<SweepResult[]> {
  const handle = sweeper(options);
  const results: SweepResult[] = [];
  let next: string | undefined = JSON.stringify({ type: "sweep", tenantId: TENANT });
  const unitSyncs: string[] = [];
  while (next !== undefined) {
    results.push((await handle(h.record(next), invocationOf(checksPerInvocation))) as SweepResult);
    next = undefined;
    for (const message of await h.receiveAll(h.queues.syncQueue.queueUrl)) {
      if ((message.Body ?? "").includes('"sweep"')) next = message.Body;
      else unitSyncs.push(message.Body ?? "");
    }
  }
  // Put the unit syncs back for the pipeline to run.
  for (const body of unitSyncs) await h.adapters.syncQueue.send(JSON.parse(body));
  return results;
}

/** Registered, indexed pages, and many more that are not registered: a listing of several pages. */
async function workspaceOf(
  registered: number,
  others: number,
): Promise<{ pages: string[]; documents: string[] }> {
  const pages = Array.from({ length: registered }, (_, i) =>
    h.workspace.addPage({ title: `Page ${i}`, blocks: [paragraph(`text of page ${i}`)] }),
  );
  for (let i = 0; i < others; i++) h.workspace.addPage({ title: `Other ${i}` });
  const documents = await h.register(...pages);
  for (const documentId of documents) await h.sync(documentId);
  await h.settle();
  return { pages, documents };
}

function notionRequests(route: string): number {
  return h.notion.requestCounts()[route] ?? 0;
}

describe("sweeps that span invocations", () => {
  it("a listing that needs several continuations still finds every deletion", async () => {
    const { pages, documents } = await workspaceOf(12, 330);
    h.workspace.trashPage(pages[0] as string);
    h.workspace.deletePage(pages[1] as string);
    h.workspace.unsharePage(pages[2] as string);
    h.clock.advance(61_000);
    // One listing page (100 objects) per invocation: about 350 objects need four.
    const results = await runSweeps(1);
    const states = results.map((result) => result.state ?? "done");
    expect(states.filter((state) => state === "continued").length).toBeGreaterThanOrEqual(3);
    expect(states.at(-1)).toBe("done");
    const last = results.at(-1) as SweepResult;
    expect(last.listing).toBe("full");
    expect(last.listed).toBeGreaterThan(300);
    expect(last.reasons).toMatchObject({ absent: 3 });
    await h.settle();
    for (const documentId of documents.slice(0, 3)) {
      expect(await h.store.getDocument(documentId)).toMatchObject({ archived: true });
    }
    expect(await h.store.getDocument(documents[3] as string)).toMatchObject({ archived: false });
  });

  it("a listing Notion cut short is incomplete: nothing absent from it is taken as deleted", async () => {
    const { pages, documents } = await workspaceOf(5, 250);
    h.workspace.trashPage(pages[0] as string);
    h.clock.advance(61_000);
    h.notion.limitSearchResults(100);
    const [result] = await runSweeps(1_000_000);
    expect(result).toMatchObject({ listing: "full", incomplete: true });
    expect(result?.reasons.absent).toBeUndefined();
    h.notion.limitSearchResults(undefined);
    await h.settle();
    expect(await h.store.getDocument(documents[0] as string)).toMatchObject({ archived: false });
    // The next whole listing finds it.
    expect((await runSweeps(1_000_000))[0]?.reasons).toMatchObject({ absent: 1 });
  });

  it("an incremental listing stops at the watermark: a few edits cost one request", async () => {
    const { pages } = await workspaceOf(10, 400);
    h.clock.advance(3600_000);
    // The first sweep lists everything and sets the watermark; past 50 objects, the next is incremental.
    expect((await runSweeps(1_000_000, { fullListingMaxObjects: 50 }))[0]?.listing).toBe("full");
    await h.settle();
    h.clock.advance(60_000);
    for (const pageId of pages.slice(0, 3)) h.workspace.appendParagraph(pageId, "an edit");
    h.notion.resetCounts();
    const [result] = await runSweeps(1_000_000, { fullListingMaxObjects: 50 });
    expect(result).toMatchObject({ listing: "incremental", reasons: { edited: 3 } });
    expect(notionRequests("POST /v1/search")).toBe(1);
  });

  it("a scope's backfill that spans invocations registers all it holds, once, and then owes nothing", async () => {
    const root = h.workspace.addPage({ title: "Wiki", blocks: [paragraph("wiki")] });
    const sections = Array.from({ length: 5 }, (_, i) =>
      h.workspace.addPage({ title: `Section ${i}`, parentPageId: root }),
    );
    for (const [i, section] of sections.entries()) {
      for (let j = 0; j < 50; j++) h.workspace.addPage({ title: `Wiki ${i}.${j}`, parentPageId: section });
    }
    for (let i = 0; i < 100; i++) h.workspace.addPage({ title: `Elsewhere ${i}` });
    await h.store.ensureDataset(defaultDataset(TENANT, "wiki", "local-hash-v1", h.clock.now()));
    const { count } = await setDatasetScope(
      { ...h.adapters, clock: h.clock },
      { tenantId: TENANT, datasetId: "wiki", workspaceId: WORKSPACE, kind: "subtree", roots: [root] },
    );
    expect(count).toMatchObject({ inScope: 256, toAdd: 256 });

    // The backfill sweep the scope sent, one search page an invocation.
    const handle = sweeper();
    const results: SweepResult[] = [];
    let unitSyncs = 0;
    for (let round = 0; round < 50; round++) {
      const messages = await h.receiveAll(h.queues.syncQueue.queueUrl);
      const sweeps = messages.filter((message) => (message.Body ?? "").includes('"sweep"'));
      unitSyncs += messages.length - sweeps.length;
      if (sweeps.length === 0) break;
      for (const message of sweeps) {
        results.push((await handle(h.record(message.Body ?? ""), invocationOf(1))) as SweepResult);
      }
    }

    // The listing spans invocations, and so does registering what it found (25 at least an invocation).
    const continued = results.filter((result) => result.state === "continued");
    expect(continued.filter((result) => result.followed === undefined).length).toBeGreaterThanOrEqual(3);
    expect(continued.filter((result) => result.followed?.suspended).length).toBeGreaterThanOrEqual(3);
    const registered = results.reduce((sum, result) => sum + (result.followed?.registered ?? 0), 0);
    expect(registered).toBe(256);
    expect(results.at(-1)).toMatchObject({ listing: "full", followed: { unresolved: 0 } });
    expect(results.at(-1)?.state).toBeUndefined();
    expect(unitSyncs).toBe(256);
    const documents = await h.store.listDocuments({ tenantId: TENANT, datasetId: "wiki" });
    expect(documents).toHaveLength(256);
    expect(documents.every((document) => document.registeredBy === "scope")).toBe(true);
    expect((await h.store.getDataset(TENANT, "wiki"))?.scope).toMatchObject({ documents: 256 });
    expect((await h.store.getDataset(TENANT, "wiki"))?.scope?.backfillPending).toBeUndefined();
  });
});
