/**
 * What happens to an SQS record whose work throws:
 * - a PermanentError can never succeed: the record goes to the dead-letter queue with its reason
 *   and is acknowledged (no retry loop);
 * - a RetryableError that says how long to wait (a 429's Retry-After the client did not absorb) is
 *   sent again with that delay and acknowledged: the function never sleeps it out, and throttling
 *   does not use up the record's receives;
 * - any other error fails just this record; SQS redelivers it, then dead-letters it after N receives.
 */
import { createHash } from "node:crypto";
import type { SQSRecord } from "aws-lambda";
import type { DeadLetterSink, Log, MessagePublisher } from "../core/ports.js";
import { safeErrorText } from "../core/safe-text.js";
import { PermanentError, RetryableError } from "../shared/errors.js";

/** SQS's longest message delay. */
const MAX_DELAY_SECONDS = 900;

export interface GuardContext {
  deadLetters: DeadLetterSink;
  /** The queue the record came from, to send a throttled record again later. */
  requeue: MessagePublisher;
  log: Log;
  source: string;
}

export async function guardRecord(
  record: SQSRecord,
  work: (body: string) => Promise<void>,
  context: GuardContext,
): Promise<void> {
  try {
    await work(record.body);
  } catch (error) {
    // SQS String attributes take 1,000 characters here; 500 keeps a reason readable.
    const reason = safeErrorText(error, [], 500);
    if (
      error instanceof RetryableError &&
      error.retryAfterSeconds !== undefined &&
      error.retryAfterSeconds > 0
    ) {
      // Spread the retries a little so a throttled burst does not come back all at once.
      const delaySeconds = Math.min(
        MAX_DELAY_SECONDS,
        Math.ceil(error.retryAfterSeconds + jitterSeconds(record.messageId)),
      );
      await context.requeue.send(JSON.parse(record.body), { delaySeconds });
      context.log.warn("throttled: message sent again with a delay", {
        messageId: record.messageId,
        delaySeconds,
        reason,
      });
      return;
    }
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

/**
 * 0–5 s, from the message id: different messages spread out as random jitter would, while a replay
 * of the same records (the chaos suite's seeds) waits exactly as long again.
 */
function jitterSeconds(messageId: string): number {
  return createHash("sha256").update(messageId).digest().readUInt8(0) / 51;
}
