/**
 * Check 6: the queues are not backing up. The work queues fail when more messages wait than
 * `--max-waiting` (the functions are not keeping up, or not consuming at all); a dead-letter queue
 * fails as soon as it holds anything (each message is a record that could never succeed). The age
 * of the oldest message is a CloudWatch metric, not a queue attribute, so it is not read here.
 */
import { queueCounts } from "../../adapters/aws/queue-counts.js";
import type { DoctorContext } from "./context.js";
import { type Check, type CheckResult, failed, passed } from "./run-checks.js";

const QUEUES = [
  { check: "queue sync", setting: "SYNC_QUEUE_URL", output: "SyncQueueUrl", deadLetters: false },
  { check: "queue index", setting: "INDEX_QUEUE_URL", output: "IndexQueueUrl", deadLetters: false },
  {
    check: "dead letters sync",
    setting: "SYNC_DEAD_LETTER_QUEUE_URL",
    output: "SyncDeadLetterQueueUrl",
    deadLetters: true,
  },
  {
    check: "dead letters index",
    setting: "INDEX_DEAD_LETTER_QUEUE_URL",
    output: "IndexDeadLetterQueueUrl",
    deadLetters: true,
  },
] as const;

export function queuesCheck(context: DoctorContext): Check {
  return {
    name: "queues",
    run: () => Promise.all(QUEUES.map((queue) => checkQueue(context, queue))),
  };
}

async function checkQueue(context: DoctorContext, queue: (typeof QUEUES)[number]): Promise<CheckResult> {
  const url = context.env[queue.setting];
  if (!url) {
    return failed(
      queue.check,
      `${context.label} has no ${queue.output}`,
      "deploy this version: `npx cdk deploy`",
    );
  }
  const { waiting, inFlight, delayed } = await queueCounts(context.sqs(), url);
  const counts = `${waiting} waiting, ${inFlight} in flight, ${delayed} delayed`;
  if (queue.deadLetters) {
    const total = waiting + inFlight + delayed;
    if (total > 0) {
      return failed(
        queue.check,
        `${total} dead letter${total === 1 ? "" : "s"} (${counts})`,
        "see `notion-index-sync dlq list`",
      );
    }
    return passed(queue.check, "empty");
  }
  if (waiting > context.maxWaiting) {
    return failed(
      queue.check,
      `backing up: ${counts} (more than ${context.maxWaiting} waiting)`,
      "check the function's errors and throttles (CloudWatch, `notion-index-sync status`); the queue drains once it consumes again",
    );
  }
  return passed(queue.check, counts);
}
