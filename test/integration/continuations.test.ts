/**
 * Index runs that outlive one invocation, on the real stand-ins: the run stops before its
 * invocation's deadline, saves a checkpoint beside the document, sends itself on, and the next
 * invocation resumes without reading anything twice. The invocation here "has N steps left":
 * its remaining time drops to zero after N checks, so the number of invocations is deterministic.
 */
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IndexCheckpoint } from "../../lib/core/ports.js";
import type { IndexResult } from "../../lib/indexing/index-document.js";
import { createIndexRecordHandler } from "../../lib/sqs-records/index-record.js";
import { NO_USAGE, utcDay } from "../../lib/telemetry/usage.js";
import { bulleted, heading1, numbered } from "../../local/notion-blocks.js";
import { type Harness, LEASE_SECONDS, startHarness, TENANT } from "../support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** A context whose deadline arrives after `steps` checks of the remaining time. */
function invocationOf(steps: number): Pick<Context, "getRemainingTimeInMillis"> {
  let checks = 0;
  return { getRemainingTimeInMillis: () => (++checks < steps ? 300_000 : 10_000) };
}

function handler() {
  return createIndexRecordHandler(
    { ...h.indexPorts, indexQueue: h.adapters.indexQueue },
    { leaseSeconds: LEASE_SECONDS, stopBeforeDeadlineMs: 45_000, checkpointEveryMs: 3_600_000 },
  );
}

/** Runs index messages one invocation each until the queue is empty; returns the outcomes. */
async function runInvocations(steps: number, limit = 50): Promise<IndexResult[]> {
  const handle = handler();
  const outcomes: IndexResult[] = [];
  for (let i = 0; i < limit; i++) {
    const [message] = await h.receiveAll(h.queues.indexQueue.queueUrl);
    if (message === undefined) return outcomes;
    const result = await handle(h.record(message.Body ?? ""), invocationOf(steps));
    if (result) outcomes.push(result);
  }
  throw new Error(`still running after ${limit} invocations`);
}

function bigPage(title: string, sections = 5): string {
  return h.workspace.addPage({
    title,
    blocks: Array.from({ length: sections }, (_, s) => [
      heading1(`${title} section ${s}`),
      ...Array.from({ length: 25 }, (_, i) =>
        bulleted(`${title} item ${s}.${i}`, [numbered(`${title} detail ${s}.${i}`)]),
      ),
    ]).flat(),
  });
}

/** Requests Notion answered (a 429 for going over the rate is not a read: the client sends it again). */
function notionRequests(): number {
  const all = Object.values(h.notion.requestCounts()).reduce((sum, count) => sum + count, 0);
  return all - (h.notion.rateLimited() - rateLimitedAtReset);
}

let rateLimitedAtReset = 0;
function resetCounts(): void {
  h.notion.resetCounts();
  rateLimitedAtReset = h.notion.rateLimited();
}

describe("runs that need several invocations", () => {
  it("a page that needs several invocations completes, reading each block once", async () => {
    // The same content read in one go, for comparison.
    const reference = bigPage("Reference");
    const [referenceId] = await h.register(reference);
    await h.sync(referenceId as string);
    resetCounts();
    expect((await runInvocations(1_000_000)).map((result) => result.outcome)).toEqual(["completed"]);
    const requestsInOneGo = notionRequests();

    const pageId = bigPage("Reference");
    const [documentId] = await h.register(pageId);
    await h.sync(documentId as string);
    resetCounts();
    const outcomes = await runInvocations(120);
    const names = outcomes.map((result) => result.outcome);
    expect(names.length).toBeGreaterThanOrEqual(3);
    expect(names.at(-1)).toBe("completed");
    expect(names.slice(0, -1).every((name) => name === "continued")).toBe(true);
    // Each invocation reads the state once more; nothing else is read twice.
    expect(notionRequests()).toBe(requestsInOneGo + (names.length - 1));

    const segments = (await h.store.listSegments(documentId as string)).map((segment) => segment.content);
    const expected = (await h.store.listSegments(referenceId as string)).map((segment) => segment.content);
    expect(segments).toEqual(expected);
    expect(await h.adapters.checkpoints.load(documentId as string)).toBeUndefined();
  });

  it("a run that started under its tenant's embedding tokens quota finishes past it; a new run stops", async () => {
    const pageId = bigPage("Quota continued");
    const [documentId] = await h.register(pageId);
    await h.sync(documentId as string);
    const handle = handler();
    const [first] = await h.receiveAll(h.queues.indexQueue.queueUrl);
    expect((await handle(h.record(first?.Body ?? ""), invocationOf(120)))?.outcome).toBe("continued");
    // The day's tokens are spent, and the quota is set now, mid-run.
    await h.adapters.usage.add({
      tenantId: TENANT,
      day: utcDay(h.clock.now()),
      subject: { kind: "dataset", datasetId: "elsewhere" },
      counts: { ...NO_USAGE, tokens: 1000 },
    });
    await h.store.saveTenant({
      tenantId: TENANT,
      quotas: { embeddingTokensPerDay: 1 },
      updatedAt: h.clock.now().toISOString(),
    });
    try {
      const outcomes = await runInvocations(120);
      expect(outcomes.at(-1)?.outcome).toBe("completed");
      expect(
        outcomes.every((result) => result.outcome === "continued" || result.outcome === "completed"),
      ).toBe(true);
      const [later] = await h.register(bigPage("Quota started later"));
      await h.sync(later as string);
      expect((await runInvocations(1_000_000)).map((result) => result.errorClass)).toEqual([
        "quota-exceeded",
      ]);
    } finally {
      await h.store.saveTenant({ tenantId: TENANT, quotas: {}, updatedAt: h.clock.now().toISOString() });
    }
  });

  it("renews the lease at every checkpoint while the run makes progress", async () => {
    const [documentId] = await h.register(bigPage("Leased"));
    await h.sync(documentId as string);
    const claimed = await h.store.getDocument(documentId as string);
    h.clock.advance(LEASE_SECONDS * 800); // most of the lease has gone by the time the run saves
    const [message] = await h.receiveAll(h.queues.indexQueue.queueUrl);
    const result = await handler()(h.record(message?.Body ?? ""), invocationOf(100));
    expect(result?.outcome).toBe("continued");
    const between = await h.store.getDocument(documentId as string);
    expect(between?.indexingStatus).toBe("parsing");
    expect(between?.lease?.expiresAt.localeCompare(claimed?.lease?.expiresAt ?? "")).toBe(1);
    expect(await runInvocations(100)).toContainEqual(expect.objectContaining({ outcome: "completed" }));
  });

  it("after a crash, the run that takes the document over resumes from the last checkpoint", async () => {
    const pageId = bigPage("Crashed");
    const [documentId] = await h.register(pageId);
    await h.sync(documentId as string);
    const [first] = await h.receiveAll(h.queues.indexQueue.queueUrl);
    expect((await handler()(h.record(first?.Body ?? ""), invocationOf(150)))?.outcome).toBe("continued");
    // The invocation that should go on dies: its message is lost, the lease runs out.
    await h.receiveAll(h.queues.indexQueue.queueUrl);
    const saved = await h.adapters.checkpoints.load<IndexCheckpoint>(documentId as string);
    expect(saved?.generation).toBe(1);
    h.clock.advance((LEASE_SECONDS + 1) * 1000);
    expect(await h.sync(documentId as string)).toMatchObject({ outcome: "queued", generation: 2 });
    h.logs.length = 0;
    const outcomes = await runInvocations(1_000_000);
    expect(outcomes.map((result) => result.outcome)).toEqual(["completed"]);
    expect(h.logs.some((line) => line.message === "indexing resumes from a checkpoint")).toBe(true);
    const document = await h.store.getDocument(documentId as string);
    expect(document).toMatchObject({ indexingStatus: "completed", generation: 2 });
    // Read when generation 1 began: the edit-minute rule compares with the oldest read.
    expect(document?.dataSourceInfo.contentReadAt).toBe(saved?.data.readAt);
  });

  it("two deliveries of one continuation: the later save wins, the other stops as superseded", async () => {
    const [documentId] = await h.register(bigPage("Twice"));
    await h.sync(documentId as string);
    const [first] = await h.receiveAll(h.queues.indexQueue.queueUrl);
    await handler()(h.record(first?.Body ?? ""), invocationOf(100));
    const [continuation] = await h.receiveAll(h.queues.indexQueue.queueUrl);
    const body = continuation?.Body ?? "";
    // Both deliveries resume from save 1; the first to save 2 goes on, the other is fenced off.
    const results = await Promise.all([
      handler()(h.record(body), invocationOf(100)),
      handler()(h.record(body), invocationOf(100)),
    ]);
    expect(results.map((result) => result?.outcome).sort()).toEqual(["continued", "superseded"]);
    expect(await runInvocations(100)).toContainEqual(expect.objectContaining({ outcome: "completed" }));
    expect(await h.store.getDocument(documentId as string)).toMatchObject({ indexingStatus: "completed" });
  });
});

describe("the checkpoint store", () => {
  it("keeps a checkpoint larger than an item in parts, reads it back whole, and deletes every part", async () => {
    const [documentId] = await h.register(h.workspace.addPage({ title: "Large checkpoint" }));
    // About 1.5 MB of text that gzip cannot shrink much: several 300 KB parts.
    const noise = Array.from({ length: 20_000 }, (_, i) => `${i}:${Math.random().toString(36).slice(2)}`);
    const blocks = noise.map((text, i) => ({ blockId: `b${i}`, text, headingPath: [], sourceUrl: "u" }));
    const checkpoint = {
      generation: 1,
      sequence: 1,
      data: {
        lastEditedTime: "2026-01-01T00:00:00.000Z",
        type: "page" as const,
        readAt: "2026-01-01T00:01:00.000Z",
        extraction: {
          version: 1 as const,
          subject: "page" as const,
          notionId: "p",
          title: "t",
          url: "u",
          titles: { titles: [], lookups: 0 },
          walk: {
            blocks,
            children: [],
            skippedTypes: {},
            seen: blocks.length,
            skipped: 0,
            chars: 0,
            earlierRequests: 0,
            stack: [],
            headings: { prefix: [], entries: [] },
            place: { url: "u", headingPath: [] },
          },
        },
      },
    };
    await h.adapters.checkpoints.save(documentId as string, checkpoint);
    expect(await h.adapters.checkpoints.load(documentId as string)).toEqual(checkpoint);
    // An older save of the same generation is fenced off.
    await expect(h.adapters.checkpoints.save(documentId as string, checkpoint)).rejects.toThrow(/newer run/);
    await h.adapters.checkpoints.delete(documentId as string);
    expect(await h.adapters.checkpoints.load(documentId as string)).toBeUndefined();
    const left = await h.adapters.dynamodb.send(
      new QueryCommand({
        TableName: h.env.TABLE_NAME,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :checkpoint)",
        ExpressionAttributeValues: {
          ":pk": { S: `CHECKPOINT#${documentId}` },
          ":checkpoint": { S: "PART#" },
        },
      }),
    );
    expect(left.Count).toBe(0);
  });
});
