/**
 * The AWS half of every local pipeline: DynamoDB (dynalite) and SQS (fauxqs) with the two queues and
 * their dead-letter queues, on 127.0.0.1. The one start-up the local stack, the tests and the
 * benchmarks share; each adds the Pinecone, Notion and Secrets Manager stand-ins it needs.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import { type LocalQueue, type SqsServer, startSqsServer } from "./sqs-server.js";

export interface AwsStandInsOptions {
  /** Seconds a received message stays invisible (Lambda's event source: the function timeout and more). */
  visibilityTimeoutSeconds: number;
  /** With a number, the queues redrive to their dead-letter queues after that many receives. */
  maxReceiveCount?: number;
  /** Where dynalite keeps its data (default: in memory). */
  dynamodbPath?: string;
  /** Queue names start with this (default: none). */
  queuePrefix?: string;
  /** SQS fair queues (default true, as SQS has them). */
  fairQueues?: boolean;
}

export interface AwsStandIns {
  dynamodbEndpoint: string;
  sqsServer: SqsServer;
  queues: { syncQueue: LocalQueue; indexQueue: LocalQueue; syncDlq: LocalQueue; indexDlq: LocalQueue };
  /** The queue settings of the functions' configuration. */
  queueEnvironment: Record<
    | "SQS_ENDPOINT"
    | "SYNC_QUEUE_URL"
    | "INDEX_QUEUE_URL"
    | "SYNC_DEAD_LETTER_QUEUE_URL"
    | "INDEX_DEAD_LETTER_QUEUE_URL",
    string
  >;
  close(): Promise<void>;
}

export async function startAwsStandIns(options: AwsStandInsOptions): Promise<AwsStandIns> {
  const dynamodb = dynalite({ createTableMs: 0, deleteTableMs: 0, path: options.dynamodbPath });
  dynamodb.listen(0, "127.0.0.1");
  await once(dynamodb, "listening");
  const closeDynamodb = () => new Promise<void>((resolve) => dynamodb.close(() => resolve()));
  let sqsServer: SqsServer;
  try {
    sqsServer = await startSqsServer({ fairQueues: options.fairQueues });
  } catch (error) {
    await closeDynamodb();
    throw error;
  }
  const prefix = options.queuePrefix ?? "";
  const queue = (name: string, deadLetterArn?: string) =>
    sqsServer.createQueue(`${prefix}${name}`, {
      VisibilityTimeout: String(options.visibilityTimeoutSeconds),
      ...(deadLetterArn && options.maxReceiveCount !== undefined
        ? {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: deadLetterArn,
              maxReceiveCount: options.maxReceiveCount,
            }),
          }
        : {}),
    });
  const syncDlq = await queue("sync-dlq");
  const indexDlq = await queue("index-dlq");
  const syncQueue = await queue("sync", syncDlq.queueArn);
  const indexQueue = await queue("index", indexDlq.queueArn);
  return {
    dynamodbEndpoint: `http://127.0.0.1:${(dynamodb.address() as AddressInfo).port}`,
    sqsServer,
    queues: { syncQueue, indexQueue, syncDlq, indexDlq },
    queueEnvironment: {
      SQS_ENDPOINT: sqsServer.url,
      SYNC_QUEUE_URL: syncQueue.queueUrl,
      INDEX_QUEUE_URL: indexQueue.queueUrl,
      SYNC_DEAD_LETTER_QUEUE_URL: syncDlq.queueUrl,
      INDEX_DEAD_LETTER_QUEUE_URL: indexDlq.queueUrl,
    },
    async close() {
      await sqsServer.stop();
      await closeDynamodb();
    },
  };
}
