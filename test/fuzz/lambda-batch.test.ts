/**
 * Fuzzed bad bodies in batches through the real Lambda handlers (functions/sync/handler.ts and
 * functions/index/handler.ts: middy, Powertools' logger and processPartialResponse), cold-started from
 * the environment the stand-ins give, as the local stack starts them. A batch of bad bodies mixed with
 * a valid document reports no item failure: the bad records are dead-lettered with their reason (and
 * logged as JSON lines with it), and the document is indexed.
 */
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paragraph } from "../../local/notion-blocks.js";
import { DATASET, type Harness, startHarness } from "../support/harness.js";
import { DEAD_LETTER_LOG, expectDeadLetter, type Source } from "./dead-letters.js";
import { FUZZ_TIMEOUT_MS, printSummaries, runsFor, Tally } from "./fuzz-runs.js";
import { brokenIndexBody, brokenSyncBody } from "./message-arbitraries.js";

type Handler = (
  event: SQSEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

let h: Harness;
let functions: { sync: Handler; index: Handler };
const tally = new Tally(
  "bad bodies in batches through the Lambda handlers (middy + processPartialResponse)",
  "batches",
);

/** Powertools' logger writes JSON lines to stdout and (errors) stderr: they are read back as the log. */
const logLines: string[] = [];
const streams = [process.stdout, process.stderr];
const writes = streams.map((stream) => stream.write);

function captureJsonLines(stream: NodeJS.WriteStream, write: NodeJS.WriteStream["write"]): void {
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (!text.startsWith("{")) return (write as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    logLines.push(...text.split("\n").filter((line) => line.trim() !== ""));
    return true;
  }) as NodeJS.WriteStream["write"];
}

function lambdaContext(functionName: string): Context {
  return {
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: `request-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "fuzz",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

beforeAll(async () => {
  h = await startHarness();
  // The functions' environment, as the local stack sets it; the binding's token is TEST_NOTION_TOKEN.
  Object.assign(process.env, h.env, { POWERTOOLS_LOG_LEVEL: "ERROR", POWERTOOLS_DEV: "false" });
  streams.forEach((stream, index) => {
    captureJsonLines(stream, writes[index] as NodeJS.WriteStream["write"]);
  });
  const sync: { handler: Handler } = await import("../../functions/sync/handler.js");
  const index: { handler: Handler } = await import("../../functions/index/handler.js");
  functions = { sync: sync.handler, index: index.handler };
});

afterAll(async () => {
  streams.forEach((stream, index) => {
    stream.write = writes[index] as NodeJS.WriteStream["write"];
  });
  printSummaries([tally]);
  await h?.close();
});

/** The function's JSON log lines about one record. */
function logLinesAbout(record: SQSRecord) {
  return logLines
    .map(
      (line) => JSON.parse(line) as { level: string; message: string; messageId?: string; reason?: string },
    )
    .filter((line) => line.messageId === record.messageId)
    .map((line) => ({
      level: line.level.toLowerCase(),
      message: line.message,
      extra: { messageId: line.messageId, reason: line.reason } as Record<string, unknown>,
    }));
}

async function expectDeadLettered(records: SQSRecord[], source: Source) {
  const queue = source === "sync" ? h.queues.syncDlq : h.queues.indexDlq;
  const dead = await h.receiveAll(queue.queueUrl);
  expect(dead).toHaveLength(records.length);
  for (const record of records) {
    const message = dead.find(
      (candidate) => candidate.MessageAttributes?.originalMessageId?.StringValue === record.messageId,
    );
    const lines = logLinesAbout(record);
    expect(lines.map((line) => line.message)).toContain(DEAD_LETTER_LOG);
    expectDeadLetter(message, record, source, lines);
  }
}

describe("bad bodies through the real Lambda handlers", () => {
  it(
    "a batch with bad records reports no item failure: they are dead-lettered, the valid work is done",
    async () => {
      let pageNumber = 0;
      const property = fc.asyncProperty(
        fc.array(brokenSyncBody, { minLength: 1, maxLength: 8 }),
        fc.array(brokenIndexBody, { minLength: 1, maxLength: 8 }),
        fc.nat({ max: 8 }),
        async (badSync, badIndex, position) => {
          pageNumber += 1;
          const pageId = h.workspace.addPage({
            title: `Lambda batch page ${pageNumber}`,
            blocks: [
              paragraph(`The Lambda handler indexes page ${pageNumber} despite its poison neighbours.`),
            ],
          });
          const [documentId] = (await h.register(pageId)) as [string];

          const valid = h.record(JSON.stringify({ datasetId: DATASET, documentId }));
          const badSyncRecords = badSync.map((fuzz) => h.record(fuzz.body));
          const syncRecords = [...badSyncRecords];
          syncRecords.splice(position % (syncRecords.length + 1), 0, valid);
          expect(await functions.sync({ Records: syncRecords }, lambdaContext("nis-sync"))).toEqual({
            batchItemFailures: [],
          });
          await expectDeadLettered(badSyncRecords, "sync");

          const [indexMessage] = await h.receiveAll(h.queues.indexQueue.queueUrl);
          const badIndexRecords = badIndex.map((fuzz) => h.record(fuzz.body));
          const indexRecords = [...badIndexRecords];
          indexRecords.splice(position % (indexRecords.length + 1), 0, h.record(indexMessage?.Body ?? ""));
          expect(await functions.index({ Records: indexRecords }, lambdaContext("nis-index"))).toEqual({
            batchItemFailures: [],
          });
          await expectDeadLettered(badIndexRecords, "index");

          expect(await h.store.getDocument(documentId)).toMatchObject({
            indexingStatus: "completed",
            segmentCount: 1,
          });
          tally.count({ rejected: badSync.length + badIndex.length, accepted: 2 });
        },
      );
      await tally.run(property, runsFor(0.003, 2));
    },
    FUZZ_TIMEOUT_MS,
  );
});
