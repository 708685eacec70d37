/**
 * What happens to an SQS record whose work throws: a PermanentError can never succeed, so the
 * record goes to the dead-letter queue with its reason and is acknowledged (no retry loop); any
 * other error fails just this record, and SQS redelivers it (then dead-letters it after N receives).
 */
import type { SQSRecord } from "aws-lambda";
import { PermanentError } from "../errors.js";
import type { DeadLetterSink, Log } from "../ports.js";

export async function guardRecord(
  record: SQSRecord,
  work: (body: string) => Promise<void>,
  context: { deadLetters: DeadLetterSink; log: Log; source: string },
): Promise<void> {
  try {
    await work(record.body);
  } catch (error) {
    const reason = oneLine(error);
    if (error instanceof PermanentError) {
      context.log.error("permanent failure: message dead-lettered", { messageId: record.messageId, reason });
      await context.deadLetters.deadLetter(record.body, reason, {
        messageId: record.messageId,
        source: context.source,
      });
      return;
    }
    context.log.warn("retryable failure: message will be retried", {
      messageId: record.messageId,
      receiveCount: record.attributes?.ApproximateReceiveCount,
      reason,
    });
    throw error;
  }
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s+/g, " ").slice(0, 500);
}
