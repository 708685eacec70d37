/**
 * Sweep cost: Notion requests needed to find what changed in a workspace, the listing sweep
 * side by side with per-page checking (what the system this replaces does), in one run.
 *
 *   npm run bench:sweep            (1,000 registered pages, 10 edited, 1 trashed)
 *   PAGES=5000 npm run bench:sweep
 *
 * Both runs go through the real sync handler, the real Notion client and the Notion stand-in; the
 * request counts are the stand-in's. Time at Notion's average of 3 requests per second is derived.
 */

import type { Document } from "../lib/core/model.js";
import { createSyncRecordHandler } from "../lib/sqs-records/sync-record.js";
import { paragraph } from "../local/notion-blocks.js";
import { type Harness, LEASE_SECONDS, startHarness, TENANT } from "../test/support/harness.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const PAGES = Number(process.env.PAGES ?? 1000);
const EDITED = 10;
const TRASHED = 1;
const NOTION_REQUESTS_PER_SECOND = 3;

async function registerIndexedPages(h: Harness, count: number): Promise<string[]> {
  const pageIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const pageId = h.workspace.addPage({ title: `Page ${i}`, blocks: [paragraph(`Content of page ${i}.`)] });
    const [documentId] = (await h.register(pageId)) as [string];
    const document = (await h.store.getDocument(documentId)) as Document;
    // Already indexed, read a minute after the page's last edit: the steady state a sweep starts from.
    const lastEditedTime = h.workspace.visiblePage(pageId)?.lastEditedTime as string;
    const contentReadAt = new Date(Date.parse(lastEditedTime) + 61_000).toISOString();
    await h.store.updateDocument(documentId, 0, {
      indexingStatus: "completed",
      dataSourceInfo: { ...document.dataSourceInfo, type: "page", lastEditedTime, contentReadAt },
    });
    pageIds.push(pageId);
  }
  h.clock.advance(2 * 60_000);
  return pageIds;
}

function totalRequests(h: Harness): number {
  return Object.values(h.notion.requestCounts()).reduce((sum, count) => sum + count, 0);
}

/** Runs one detection pass: the sweep message, then the unit syncs it enqueued (not the re-indexing). */
async function detect(h: Harness, mode: "listing" | "reconcile") {
  // Per-page checking releases every check at once here (a reconcile would spread them over time).
  const handler = createSyncRecordHandler(h.syncPorts, {
    leaseSeconds: LEASE_SECONDS,
    reconcileChecksPerSecond: 1e9,
  });
  h.notion.resetCounts();
  const started = performance.now();
  await handler(h.record(JSON.stringify({ type: "sweep", tenantId: TENANT, mode })));
  const sweepRequests = totalRequests(h);
  const unitSyncs = await h.receiveAll(h.queues.syncQueue.queueUrl);
  for (const message of unitSyncs) await handler(h.record(message.Body ?? ""));
  const requests = totalRequests(h);
  const indexMessages = await h.receiveAll(h.queues.indexQueue.queueUrl);
  return {
    mode,
    sweepRequests,
    unitSyncs: unitSyncs.length,
    detectionRequests: requests,
    changedFound: indexMessages.length,
    wallMs: Math.round(performance.now() - started),
  };
}

/** A fresh stand-in workspace and store for each method, so neither run sees the other's work. */
async function scenario(mode: "listing" | "reconcile") {
  const h = await startHarness();
  try {
    const pageIds = await registerIndexedPages(h, PAGES);
    for (const pageId of pageIds.slice(0, EDITED))
      h.workspace.appendParagraph(pageId, "An edit the sweep must find.");
    for (const pageId of pageIds.slice(EDITED, EDITED + TRASHED)) h.workspace.trashPage(pageId);
    h.clock.advance(61_000);
    return await detect(h, mode);
  } finally {
    await h.close();
  }
}

async function main() {
  const listing = await scenario("listing");
  const perPage = await scenario("reconcile");
  console.log(
    `Sweep cost on ${PAGES} registered pages, ${EDITED} edited, ${TRASHED} trashed (Notion stand-in)\n`,
  );
  console.log("| method | Notion requests | of which listing | unit syncs | edits found | time at 3 req/s |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const run of [listing, perPage]) {
    const name = run.mode === "listing" ? "listing sweep (this project)" : "per-page checks";
    const listingRequests = run.mode === "listing" ? run.sweepRequests : 0;
    const seconds = run.detectionRequests / NOTION_REQUESTS_PER_SECOND;
    console.log(
      `| ${name} | ${run.detectionRequests} | ${listingRequests} | ${run.unitSyncs} | ${run.changedFound} | ${formatDuration(seconds)} |`,
    );
  }
  console.log(
    `\nper-page checking needs ${(perPage.detectionRequests / listing.detectionRequests).toFixed(1)}× the requests`,
  );
}

function formatDuration(seconds: number): string {
  return seconds >= 60 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(1)} s`;
}

await main();
