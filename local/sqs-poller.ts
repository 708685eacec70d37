/**
 * Feeds a queue to a Lambda handler the way Lambda's SQS event source does: batches of up to N
 * records, the handler's `batchItemFailures` left on the queue (they come back after the
 * visibility timeout, and the queue's redrive policy dead-letters them after N receives), every
 * other record deleted; a handler that throws fails the whole batch.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

/** Invokes the function with a batch (local/function-runner.ts: its own environment and timeout). */
export type SqsInvoke = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  functionName: string;
  invoke: SqsInvoke;
  batchSize: number;
  /** Long-poll wait; also how quickly `stop()` returns. */
  waitTimeSeconds?: number;
  region: string;
  onBatch?: (summary: BatchSummary) => void;
}

export interface QueuePoller {
  /** True while a batch is being handled. */
  readonly busy: boolean;
  stop(): Promise<void>;
}

export function startQueuePoller(options: PollerOptions): QueuePoller {
  let running = true;
  let busy = false;
  const loop = (async () => {
    while (running) {
      try {
        const received = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0 || !running) continue;
        busy = true;
        await handleBatch(options, messages);
      } catch (error) {
        // The queue itself failed (e.g. shutting down): back off and try again.
        if (running) await sleep(500);
        options.onBatch?.({ records: 0, failed: 0, error, bodies: [], ms: 0 });
      } finally {
        busy = false;
      }
    }
  })();
  return {
    get busy() {
      return busy;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function handleBatch(options: PollerOptions, messages: Message[]): Promise<void> {
  const records = messages.map((message) => toRecord(message, options));
  const started = Date.now();
  let failedIds: Set<string>;
  let error: unknown;
  try {
    // A function that fails or times out fails the batch: no record is deleted, and they come back
    // after the visibility timeout.
    const response = await options.invoke({ Records: records });
    failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  } catch (thrown) {
    error = thrown;
    failedIds = new Set(records.map((record) => record.messageId));
  }
  const done = messages.filter((message) => !failedIds.has(message.MessageId ?? ""));
  if (done.length > 0) {
    await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  options.onBatch?.({
    records: records.length,
    failed: failedIds.size,
    error,
    bodies: records.filter((record) => !failedIds.has(record.messageId)).map((record) => record.body),
    ms: Date.now() - started,
  });
}

/** What a batch did: for the local stack's log of runs. */
export interface BatchSummary {
  records: number;
  failed: number;
  error?: unknown;
  /** The bodies of the records that succeeded. */
  bodies: string[];
  ms: number;
}

function toRecord(message: Message, options: PollerOptions): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
