/**
 * Two ways dead-lettering itself could fail, found by the message fuzzing: then the record would be
 * retried until SQS's redrive moved it, without its reason. Both are regressions now.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATASET, type Harness, startHarness } from "../support/harness.js";

/** What SQS accepts in a body or a String attribute (fauxqs checks bodies only). */
const SQS_TEXT = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe("dead-lettering cannot fail on what the body holds", () => {
  it("a dead letter's reason holds only characters SQS accepts (a key may be written \\u0001 or \\ud800)", async () => {
    // The body itself is plain ASCII; zod's reason quotes the decoded key: a control character and a
    // lone surrogate, which real SQS refuses in the `reason` attribute, so dead-lettering throws there.
    const record = h.record(`{"datasetId":"${DATASET}","documentId":"d","\\u0001\\ud800":1}`);
    await h.syncHandler(record);
    const [dead] = await h.receiveAll(h.queues.syncDlq.queueUrl);
    expect(dead?.MessageAttributes?.reason?.StringValue).toMatch(SQS_TEXT);
  });

  it("a body near SQS's 1 MiB ceiling is dead-lettered, not failed (body plus reason exceed it)", async () => {
    const record = h.record(`"${"x".repeat(1024 * 1024 - 100)}"`);
    await h.syncHandler(record);
    const [dead] = await h.receiveAll(h.queues.syncDlq.queueUrl);
    expect(dead?.MessageAttributes?.reason?.StringValue).toMatch(/larger than/);
    // Its start is kept, with how long it was, so that an operator can recognise it.
    expect(dead?.Body?.startsWith('"xxxx')).toBe(true);
    expect(dead?.Body).toMatch(/…\[truncated, 1048478 bytes\]$/);
    expect(dead?.MessageAttributes?.originalBytes?.StringValue).toBe("1048478");
  });
});
