import { DeleteMessageCommand, type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { ensureTable } from "../../lib/adapters/aws/ensure-table.js";
import { queueCounts } from "../../lib/adapters/aws/queue-counts.js";
import { loadConfig } from "../../lib/composition/config.js";
import { type Adapters, createAdapters } from "../../lib/composition/from-config.js";
import type { Clock, Log } from "../../lib/core/ports.js";
import { registerDocuments } from "../../lib/documents/register.js";
import type { IndexResult } from "../../lib/indexing/index-document.js";
import { createMemoryRateBudget } from "../../lib/rate-limit/rate-budget.js";
import { createIndexRecordHandler } from "../../lib/sqs-records/index-record.js";
import { createSyncRecordHandler } from "../../lib/sqs-records/sync-record.js";
import { startAwsStandIns } from "../../local/aws-stand-ins.js";
import { startNotionServer } from "../../local/notion-server.js";
import { NotionWorkspace } from "../../local/notion-workspace.js";
import { startPineconeServer } from "../../local/pinecone-server.js";
import { startSecretsManagerServer } from "../../local/secrets-manager-server.js";

export const TEST_TOKEN = "test-token-not-a-secret";
/** The binding's token, in the Secrets Manager stand-in as in AWS (the functions read no `env:`). */
export const TEST_TOKEN_SECRET = "test/notion/acme/ws-1";
export const TEST_TOKEN_REF = `secretsmanager:${TEST_TOKEN_SECRET}`;
export const TENANT = "acme";
export const DATASET = "handbook";
export const WORKSPACE = "ws-1";
export const LEASE_SECONDS = 60;
/** Notion's 3 requests a second per token (burst 5), time-scaled ×50 so that tests stay quick. */
export const TEST_NOTION_RATE = { requestsPerSecond: 150, burst: 5 };
/** The client's budget on the same scale: the default 3 a second (burst 3), ×50. */
export const TEST_CLIENT_RATE = { requestsPerSecond: 150, burst: 3 };
/**
 * One budget for every connector a test file makes, as the table is one budget for every instance:
 * a new connector with a budget of its own would burst past the stand-in's limit.
 */
export const TEST_CLIENT_BUDGET = createMemoryRateBudget();
/** DocumentStore methods that write: a message that must change nothing calls none of them. */
export const STORE_WRITES = [
  "claimDocument",
  "updateDocument",
  "putSegments",
  "deleteSegments",
  "createDocument",
  "setPaused",
  "putBinding",
  "ensureDataset",
  "saveDataset",
];

export interface LogLine {
  level: string;
  message: string;
  extra: Record<string, unknown>;
}

/**
 * A clock the test moves forward; the Notion workspace stamps edits with it too. With a `start`,
 * it is frozen there and moves only when told (replayable runs: no real time leaks in).
 */
export class TestClock implements Clock {
  private offsetMs = 0;
  private readonly startMs: number | undefined;
  constructor(start?: Date) {
    this.startMs = start?.getTime();
  }
  now(): Date {
    return new Date((this.startMs ?? Date.now()) + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * The stand-ins on 127.0.0.1 (dynalite, fauxqs with the two queues and their dead-letter queues,
 * Pinecone, Notion) and the environment that points the adapters at them. The Notion server
 * starts with `workspace` for TEST_TOKEN; more workspaces can be served later (`notion.serve`).
 */
export async function startStandIns(
  workspace: NotionWorkspace,
  extraEnv: Record<string, string> = {},
  notionRate: { requestsPerSecond: number; burst: number } = TEST_NOTION_RATE,
) {
  const aws = await startAwsStandIns({ visibilityTimeoutSeconds: 30 });
  const { sqsServer } = aws;
  const pinecone = await startPineconeServer({ dimension: 64 });
  // Notion's limits with time scaled ×50: the client's budget must keep the stand-in's rate.
  const notion = await startNotionServer({ workspace, tokens: [TEST_TOKEN], rateLimit: notionRate });
  const secretsManager = await startSecretsManagerServer({ secrets: { [TEST_TOKEN_SECRET]: TEST_TOKEN } });

  const env = {
    AWS_REGION: "us-east-1",
    TABLE_NAME: "test-table",
    DYNAMODB_ENDPOINT: aws.dynamodbEndpoint,
    ...aws.queueEnvironment,
    PINECONE_INDEX_HOST: pinecone.url,
    PINECONE_API_KEY: "pinecone-test-key",
    NOTION_BASE_URL: notion.url,
    SECRETS_MANAGER_ENDPOINT: secretsManager.url,
    EMBEDDING_DIMENSION: "64",
    LEASE_SECONDS: String(LEASE_SECONDS),
    NOTION_REQUESTS_PER_SECOND: String(notionRate.requestsPerSecond),
    NOTION_BURST: "3",
    ...extraEnv,
  };
  return {
    sqsServer,
    pinecone,
    notion,
    secretsManager,
    env,
    queues: aws.queues,
    async close() {
      await secretsManager.close();
      await notion.close();
      await pinecone.close();
      await aws.close();
    },
  };
}

export type StandIns = Awaited<ReturnType<typeof startStandIns>>;

/** A Log that keeps every line in `logs`. */
export function collectingLog(logs: LogLine[]): Log {
  return Object.fromEntries(
    ["debug", "info", "warn", "error"].map((level) => [
      level,
      (message: string, ...extra: Record<string, unknown>[]) =>
        logs.push({ level, message, extra: Object.assign({}, ...extra) }),
    ]),
  ) as unknown as Log;
}

/** An SQS record as Lambda's event source hands it over. */
export function sqsRecord(body: string, messageId: string, receiveCount = 1, sentAt = Date.now()): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(sentAt),
      SenderId: "test",
      ApproximateFirstReceiveTimestamp: String(sentAt),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:test",
    awsRegion: "us-east-1",
  };
}

/** `extraEnv`: extra configuration, e.g. another embedding provider's key and endpoint. */
export async function startHarness(extraEnv: Record<string, string> = {}) {
  const clock = new TestClock();
  const workspace = new NotionWorkspace({ clock });
  const standIns = await startStandIns(workspace, extraEnv);
  const { pinecone, notion, secretsManager, env } = standIns;
  const { syncQueue, indexQueue, syncDlq, indexDlq } = standIns.queues;
  const adapters: Adapters = createAdapters(loadConfig(env));
  await ensureTable(adapters.dynamodb, env.TABLE_NAME);
  await adapters.store.putBinding({
    tenantId: TENANT,
    provider: "notion",
    workspaceId: WORKSPACE,
    tokenRef: TEST_TOKEN_REF,
    disabled: false,
  });

  const logs: LogLine[] = [];
  const log = collectingLog(logs);

  const syncPorts = { ...adapters, deadLetters: adapters.syncDeadLetters, clock, log };
  const indexPorts = { ...adapters, deadLetters: adapters.indexDeadLetters, clock, log };
  const options = { leaseSeconds: LEASE_SECONDS };
  let messageNumber = 0;

  const harness = {
    clock,
    workspace,
    notion,
    pinecone,
    secretsManager,
    adapters,
    store: adapters.store,
    logs,
    env,
    syncPorts,
    indexPorts,
    queues: { syncQueue, indexQueue, syncDlq, indexDlq },
    namespace: `${TENANT}.${DATASET}`,

    record(body: string): SQSRecord {
      messageNumber += 1;
      return sqsRecord(body, `message-${messageNumber}`);
    },

    syncHandler: createSyncRecordHandler(syncPorts, options),
    indexHandler: createIndexRecordHandler(indexPorts, options),

    /** Registers pages in the test dataset; returns their document ids. Drops the queued first syncs. */
    async register(...pageIds: string[]): Promise<string[]> {
      const registered = await registerDocuments(
        { store: adapters.store, syncQueue: adapters.syncQueue, clock },
        {
          tenantId: TENANT,
          datasetId: DATASET,
          workspaceId: WORKSPACE,
          pageIds,
          embeddingModel: "local-hash-v1",
        },
      );
      await harness.receiveAll(syncQueue.queueUrl);
      return registered.map((document) => document.documentId);
    },

    async sync(documentId: string, datasetId = DATASET) {
      return harness.syncHandler(harness.record(JSON.stringify({ datasetId, documentId })));
    },

    /** Runs every message waiting on the index queue through the index handler. */
    async drainIndexQueue(): Promise<IndexResult[]> {
      const results: IndexResult[] = [];
      for (const message of await harness.receiveAll(indexQueue.queueUrl)) {
        const result = await harness.indexHandler(harness.record(message.Body ?? ""));
        if (result) results.push(result);
      }
      return results;
    },

    /** Runs every message waiting on the sync queue (unit syncs and sweeps) through the sync handler. */
    async drainSyncQueue() {
      const results = [];
      for (const message of await harness.receiveAll(syncQueue.queueUrl)) {
        results.push(await harness.syncHandler(harness.record(message.Body ?? "")));
      }
      return results;
    },

    /** Drains both queues until nothing is left to do (delayed messages excepted). */
    async settle() {
      for (;;) {
        const synced = await harness.drainSyncQueue();
        const indexed = await harness.drainIndexQueue();
        if (synced.length === 0 && indexed.length === 0) return;
      }
    },

    /** Messages on a queue, visible, in flight and delayed. */
    async queueDepth(queueUrl: string) {
      const { waiting, inFlight, delayed } = await queueCounts(adapters.sqs, queueUrl);
      return { visible: waiting, inFlight, delayed };
    },

    /** Sync then index: one full pass of the pipeline for a document. */
    async syncAndIndex(documentId: string) {
      const sync = await harness.sync(documentId);
      const indexed = await harness.drainIndexQueue();
      return { sync, indexed };
    },

    /** Receives (and deletes) every message currently on a queue. */
    async receiveAll(queueUrl: string): Promise<Message[]> {
      const all: Message[] = [];
      for (;;) {
        const received = await adapters.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ["All"],
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) return all;
        for (const message of messages) {
          await adapters.sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        }
        all.push(...messages);
      }
    },

    /**
     * Moves a document to a binding of its own (`workspaceId`), whose token the Notion stand-in serves
     * for the same workspace: revoking that token touches no other test. Returns the token and an undo.
     */
    async ownBinding(documentId: string, workspaceId: string): Promise<{ token: string; undo: () => void }> {
      const token = `${workspaceId}-token-${"7".repeat(16)}`;
      const undo = notion.serve({ workspace, tokens: [token] });
      const tokenRef = secretsManager.put(`test/notion/${workspaceId}`, token);
      await adapters.store.putBinding({
        tenantId: TENANT,
        provider: "notion",
        workspaceId,
        tokenRef,
        disabled: false,
      });
      const document = await adapters.store.getDocument(documentId);
      if (!document) throw new Error(`no document ${documentId}`);
      await adapters.store.updateDocument(documentId, document.generation, {
        dataSourceInfo: { ...document.dataSourceInfo, workspaceId },
      });
      return { token, undo };
    },

    async vectorIds(): Promise<string[]> {
      return pinecone.ids(harness.namespace);
    },

    close: standIns.close,
  };
  return harness;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** Wraps a port so that calls to the named methods are counted; the real adapter still does the work. */
export function countCalls<T extends object>(port: T, counts: Record<string, number>): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        counts[String(property)] = (counts[String(property)] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
}
