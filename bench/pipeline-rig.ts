/**
 * The real pipeline for benchmarks, in one process: dynalite, fauxqs, the Pinecone and Notion
 * stand-ins on 127.0.0.1, the adapters built from configuration exactly as the functions build them,
 * and the per-record sync and index handlers (test/support/harness.ts's set-up, with the embedding
 * settings as a parameter). The benchmark decides when each queue is drained.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import dynalite from "dynalite";
import { ensureTable } from "../lib/adapters/aws/ensure-table.js";
import { loadConfig } from "../lib/composition/config.js";
import { createAdapters } from "../lib/composition/from-config.js";
import type { Clock, Log } from "../lib/core/ports.js";
import { registerDocuments } from "../lib/documents/register.js";
import { createIndexRecordHandler } from "../lib/sqs-records/index-record.js";
import { createSyncRecordHandler } from "../lib/sqs-records/sync-record.js";
import { startNotionServer } from "../local/notion-server.js";
import { NotionWorkspace } from "../local/notion-workspace.js";
import { startPineconeServer } from "../local/pinecone-server.js";
import { startSecretsManagerServer } from "../local/secrets-manager-server.js";
import { startSqsServer } from "../local/sqs-server.js";

const TOKEN = "bench-token-not-a-secret";
const TENANT = "bench";
const DATASET = "pages";
const WORKSPACE = "ws";
const LEASE_SECONDS = 300;

/** A clock the benchmark moves past Notion's minute rounding between edits. */
class BenchClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };

// The AWS SDK would print its Node 20 notice into the benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export async function startRig(options: { dimension: number; embedding: Record<string, string> }) {
  const clock = new BenchClock();
  const workspace = new NotionWorkspace({ clock });
  const dynamodb = dynalite({ createTableMs: 0 });
  dynamodb.listen(0, "127.0.0.1");
  await once(dynamodb, "listening");
  const sqsServer = await startSqsServer();
  const queue = (name: string) => sqsServer.createQueue(name, { VisibilityTimeout: "60" });
  const [syncDlq, indexDlq, syncQueue, indexQueue] = await Promise.all(
    ["sync-dlq", "index-dlq", "sync", "index"].map(queue),
  );
  const pinecone = await startPineconeServer({ dimension: options.dimension });
  const notion = await startNotionServer({ workspace, tokens: [TOKEN], rateLimit: false });
  const secretsManager = await startSecretsManagerServer();

  const config = loadConfig({
    AWS_REGION: "us-east-1",
    TABLE_NAME: "bench",
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${(dynamodb.address() as AddressInfo).port}`,
    SQS_ENDPOINT: sqsServer.url,
    SYNC_QUEUE_URL: syncQueue?.queueUrl,
    INDEX_QUEUE_URL: indexQueue?.queueUrl,
    SYNC_DEAD_LETTER_QUEUE_URL: syncDlq?.queueUrl,
    INDEX_DEAD_LETTER_QUEUE_URL: indexDlq?.queueUrl,
    PINECONE_INDEX_HOST: pinecone.url,
    PINECONE_CONTROLLER_HOST: pinecone.url,
    PINECONE_API_KEY: "bench",
    NOTION_BASE_URL: notion.url,
    SECRETS_MANAGER_ENDPOINT: secretsManager.url,
    LEASE_SECONDS: String(LEASE_SECONDS),
    // The embedding cache is measured here, not Notion's rate limit (that is bench:scale's).
    NOTION_REQUESTS_PER_SECOND: "10000",
    NOTION_BURST: "10000",
    ...options.embedding,
  });
  const adapters = createAdapters(config);
  await ensureTable(adapters.dynamodb, config.TABLE_NAME);
  await adapters.store.putBinding({
    tenantId: TENANT,
    provider: "notion",
    workspaceId: WORKSPACE,
    tokenRef: secretsManager.put("bench/notion-token", TOKEN),
    disabled: false,
  });

  const ports = { ...adapters, clock, log: quiet };
  const handlerOptions = { leaseSeconds: LEASE_SECONDS };
  const syncHandler = createSyncRecordHandler(
    { ...ports, deadLetters: adapters.syncDeadLetters },
    handlerOptions,
  );
  const indexHandler = createIndexRecordHandler(
    { ...ports, deadLetters: adapters.indexDeadLetters },
    handlerOptions,
  );
  let messages = 0;
  const record = (body: string): SQSRecord => {
    messages += 1;
    const now = String(Date.now());
    return {
      messageId: `m-${messages}`,
      receiptHandle: `r-${messages}`,
      body,
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: now,
        SenderId: "bench",
        ApproximateFirstReceiveTimestamp: now,
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:bench",
      awsRegion: "us-east-1",
    };
  };

  async function receiveAll(queueUrl: string): Promise<string[]> {
    const bodies: string[] = [];
    for (;;) {
      const received = await adapters.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
      );
      const batch = received.Messages ?? [];
      if (batch.length === 0) return bodies;
      for (const message of batch) {
        await adapters.sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        bodies.push(message.Body ?? "");
      }
    }
  }

  return {
    clock,
    workspace,
    pinecone,
    adapters,

    async register(pageId: string): Promise<string> {
      const [registered] = await registerDocuments(
        { store: adapters.store, syncQueue: adapters.syncQueue, clock },
        {
          tenantId: TENANT,
          datasetId: DATASET,
          workspaceId: WORKSPACE,
          pageIds: [pageId],
          embeddingModel: adapters.embedder.model,
        },
      );
      await receiveAll(syncQueue?.queueUrl ?? "");
      return registered?.documentId ?? "";
    },

    /** One unit sync, then every index message it produced. */
    async syncAndIndex(documentId: string) {
      const sync = await syncHandler(record(JSON.stringify({ datasetId: DATASET, documentId })));
      const indexed = [];
      for (const body of await receiveAll(indexQueue?.queueUrl ?? ""))
        indexed.push(await indexHandler(record(body)));
      return { sync, indexed };
    },

    async close() {
      await secretsManager.close();
      await notion.close();
      await pinecone.close();
      await sqsServer.stop();
      await new Promise<void>((resolve) => dynamodb.close(() => resolve()));
    },
  };
}
