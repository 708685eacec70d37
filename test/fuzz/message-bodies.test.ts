/**
 * Fuzzed queue message bodies through the real per-record handlers, on the real stand-ins (dynalite,
 * fauxqs, the Pinecone and Notion stand-ins) with the adapters the functions use.
 * Properties, for every body:
 * - the handler never throws (a bad body is not a batch failure);
 * - a bad body is in the real dead-letter queue, unchanged, with a one-line reason naming the queue's
 *   message type, its message id and its source; the log has one error line with the same reason;
 * - a valid body is acknowledged and never dead-lettered;
 * - mixed into batches with valid work, bad bodies leave that work untouched: every valid document
 *   is synced and indexed, and the batch reports no item failure.
 */

import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSRecord } from "aws-lambda";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paragraph } from "../../local/notion-blocks.js";
import { DATASET, type Harness, type LogLine, startHarness } from "../support/harness.js";
import { expectDeadLetter, type Source } from "./dead-letters.js";
import { FUZZ_TIMEOUT_MS, printSummaries, runsFor, Tally } from "./fuzz-runs.js";
import {
  brokenIndexBody,
  brokenSyncBody,
  type FuzzBody,
  indexBody,
  syncBody,
} from "./message-arbitraries.js";

let h: Harness;
const tallies = {
  sync: new Tally("sync message bodies (sync handler)"),
  index: new Tally("index message bodies (index handler)"),
  batches: new Tally("bad bodies mixed with valid work (sync batch, then index batch)", "batches"),
};

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  printSummaries(Object.values(tallies));
  await h?.close();
});

/** Runs one body through a handler; returns what it did. */
async function deliver(fuzz: FuzzBody, source: Source, tally: Tally) {
  const record = h.record(fuzz.body);
  const logsBefore = h.logs.length;
  const handler = source === "sync" ? h.syncHandler : h.indexHandler;
  let result: unknown;
  try {
    result = await handler(record);
  } catch (error) {
    tally.crashes += 1;
    throw error;
  }
  const queue = source === "sync" ? h.queues.syncDlq : h.queues.indexDlq;
  const dead = await h.receiveAll(queue.queueUrl);
  return { record, result, dead, logs: h.logs.slice(logsBefore) };
}

function bodyProperty(source: Source, bodies: fc.Arbitrary<FuzzBody>, tally: Tally) {
  return fc.asyncProperty(bodies, async (fuzz) => {
    const { record, result, dead, logs } = await deliver(fuzz, source, tally);
    if (dead.length === 0) {
      expect(fuzz.verdict, `${fuzz.how} was acknowledged`).not.toBe("invalid");
      expect(result).toBeDefined();
      tally.count({ accepted: 1 });
      return;
    }
    expect(fuzz.verdict, `${fuzz.how} was dead-lettered`).not.toBe("valid");
    expect(dead).toHaveLength(1);
    expectDeadLetter(dead[0], record, source, logs);
    tally.count({ rejected: 1 });
  });
}

describe("message bodies, one at a time", () => {
  it(
    "sync handler: never throws; bad bodies are dead-lettered with a reason, valid ones acknowledged",
    async () => {
      await tallies.sync.run(bodyProperty("sync", syncBody, tallies.sync), runsFor(0.3, 40));
      expect(tallies.sync.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "index handler: never throws; bad bodies are dead-lettered with a reason, valid ones acknowledged",
    async () => {
      await tallies.index.run(bodyProperty("index", indexBody, tallies.index), runsFor(0.25, 40));
      expect(tallies.index.rejected).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe("bad bodies mixed into batches with valid work", () => {
  let pageNumber = 0;

  /** Interleaves the bad records among the valid ones, in an order fast-check chooses. */
  function interleave<T>(valid: T[], bad: T[], keys: number[]): T[] {
    const all = [...valid, ...bad];
    return all
      .map((item, index) => ({ item, key: keys[index % keys.length] ?? index }))
      .sort((a, b) => a.key - b.key)
      .map(({ item }) => item);
  }

  async function runBatch(records: SQSRecord[], source: Source) {
    const handler = source === "sync" ? h.syncHandler : h.indexHandler;
    return processPartialResponse({ Records: records }, handler, new BatchProcessor(EventType.SQS), {
      context: {} as Context,
    });
  }

  /** The dead letters of a batch: exactly the bad records, each with its reason. */
  async function expectOnlyBadDeadLettered(bad: SQSRecord[], source: Source, logs: LogLine[]) {
    const queue = source === "sync" ? h.queues.syncDlq : h.queues.indexDlq;
    const dead = await h.receiveAll(queue.queueUrl);
    expect(dead).toHaveLength(bad.length);
    for (const record of bad) {
      const message = dead.find(
        (candidate) => candidate.MessageAttributes?.originalMessageId?.StringValue === record.messageId,
      );
      expectDeadLetter(
        message,
        record,
        source,
        logs.filter((line) => line.extra.messageId === record.messageId),
      );
    }
  }

  it(
    "dead-letters only the bad records; every valid document is synced and indexed",
    async () => {
      const property = fc.asyncProperty(
        fc.array(brokenSyncBody, { minLength: 1, maxLength: 6 }),
        fc.array(brokenIndexBody, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
        async (badSync, badIndex, validCount, order) => {
          const pageIds = Array.from({ length: validCount }, () => {
            pageNumber += 1;
            return h.workspace.addPage({
              title: `Fuzz batch page ${pageNumber}`,
              blocks: [paragraph(`Valid work number ${pageNumber} sits in a batch with poison messages.`)],
            });
          });
          const documentIds = await h.register(...pageIds);
          const logsBefore = h.logs.length;

          const validSync = documentIds.map((documentId) =>
            h.record(JSON.stringify({ datasetId: DATASET, documentId })),
          );
          const badSyncRecords = badSync.map((fuzz) => h.record(fuzz.body));
          const syncResponse = await runBatch(interleave(validSync, badSyncRecords, order), "sync");
          expect(syncResponse.batchItemFailures).toEqual([]);
          await expectOnlyBadDeadLettered(badSyncRecords, "sync", h.logs.slice(logsBefore));

          const indexMessages = await h.receiveAll(h.queues.indexQueue.queueUrl);
          expect(indexMessages).toHaveLength(validCount);
          const validIndex = indexMessages.map((message) => h.record(message.Body ?? ""));
          const badIndexRecords = badIndex.map((fuzz) => h.record(fuzz.body));
          const indexResponse = await runBatch(interleave(validIndex, badIndexRecords, order), "index");
          expect(indexResponse.batchItemFailures).toEqual([]);
          await expectOnlyBadDeadLettered(badIndexRecords, "index", h.logs.slice(logsBefore));

          for (const documentId of documentIds) {
            const document = await h.store.getDocument(documentId);
            expect(document).toMatchObject({ indexingStatus: "completed", generation: 1, segmentCount: 1 });
            expect(document?.lease).toBeUndefined();
            const vectors = h.pinecone.ids(h.namespace).filter((id) => id.startsWith(`${documentId}#`));
            expect(vectors).toEqual([`${documentId}#1#0`]);
          }
          tallies.batches.count({
            rejected: badSync.length + badIndex.length,
            accepted: validSync.length + validIndex.length,
          });
        },
      );
      await tallies.batches.run(property, runsFor(0.01, 3));
    },
    FUZZ_TIMEOUT_MS,
  );
});
