import { DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { ensureTable } from "../lib/adapters/aws/ensure-table.js";
import { loadConfig } from "../lib/composition/config.js";
import { createAdapters } from "../lib/composition/from-config.js";
import type { Clock, Log } from "../lib/core/ports.js";
import { registerDocuments } from "../lib/documents/register.js";
import { createIndexRecordHandler } from "../lib/sqs-records/index-record.js";
import { createSyncRecordHandler } from "../lib/sqs-records/sync-record.js";
import { startAwsStandIns } from "../local/aws-stand-ins.js";
import { startNotionServer } from "../local/notion-server.js";
import { NotionWorkspace } from "../local/notion-workspace.js";
import { startPineconeServer } from "../local/pinecone-server.js";
import { startSecretsManagerServer } from "../local/secrets-manager-server.js";

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

export async function startRig(options: {
  dimension: number;
  embedding: Record<string, string>;
  /** Embed chunks after their title and heading path (the default), or alone. */
  embedContext?: boolean;
}) {
  const clock = new BenchClock();
  const workspace = new NotionWorkspace({ clock });
  const aws = await startAwsStandIns({ visibilityTimeoutSeconds: 60 });
  const pinecone = await startPineconeServer({ dimension: options.dimension });
  const notion = await startNotionServer({ workspace, tokens: [TOKEN], rateLimit: false });
  const secretsManager = await startSecretsManagerServer();

  const config = loadConfig({
    AWS_REGION: "us-east-1",
    TABLE_NAME: "bench",
    DYNAMODB_ENDPOINT: aws.dynamodbEndpoint,
    ...aws.queueEnvironment,
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
  const handlerOptions = { leaseSeconds: LEASE_SECONDS, embedContext: options.embedContext };
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
      await receiveAll(aws.queues.syncQueue.queueUrl);
      return registered?.documentId ?? "";
    },

    /** One unit sync, then every index message it produced. */
    async syncAndIndex(documentId: string) {
      const sync = await syncHandler(record(JSON.stringify({ datasetId: DATASET, documentId })));
      const indexed = [];
      for (const body of await receiveAll(aws.queues.indexQueue.queueUrl))
        indexed.push(await indexHandler(record(body)));
      return { sync, indexed };
    },

    async close() {
      await secretsManager.close();
      await notion.close();
      await pinecone.close();
      await aws.close();
    },
  };
}
