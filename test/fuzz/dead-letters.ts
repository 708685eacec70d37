/** What a dead-lettered record must look like: the body unchanged, a clear reason, its log line. */
import type { Message } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { expect } from "vitest";
import type { LogLine } from "../support/harness.js";

export type Source = "sync" | "index";

export const DEAD_LETTER_LOG = "permanent failure: message dead-lettered";

/** The dead letter of one record, and the one error line that logged it (`logs`: that record's). */
export function expectDeadLetter(
  message: Message | undefined,
  record: SQSRecord,
  source: Source,
  logs: LogLine[],
): void {
  expect(message?.Body).toBe(record.body === "" ? "(empty body)" : record.body);
  const attributes = message?.MessageAttributes ?? {};
  const reason = attributes.reason?.StringValue ?? "";
  expectClearReason(reason, source);
  expect(attributes.originalMessageId?.StringValue).toBe(record.messageId);
  expect(attributes.source?.StringValue).toBe(source);
  const lines = logs.filter((line) => line.message === DEAD_LETTER_LOG);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: "error", extra: { messageId: record.messageId, reason } });
}

/** One line, bounded, and it says which message was wrong. */
export function expectClearReason(reason: string, source: Source): void {
  expect(reason).not.toMatch(/[\r\n]/);
  expect(reason.length).toBeGreaterThan(0);
  expect(reason.length).toBeLessThanOrEqual(500);
  expect(reason).toMatch(new RegExp(`^InvalidMessageError: ${source} message `));
}
