import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { createDynamoDbWebhookStore } from "../lib/adapters/aws/dynamodb-webhook-store.js";
import { ensureTable } from "../lib/adapters/aws/ensure-table.js";
import { queueCounts } from "../lib/adapters/aws/queue-counts.js";
import {
  LOCAL_OAUTH_CLIENT_SECRET,
  LOCAL_OAUTH_STATE_KEY_SECRET,
  LOCAL_TOKEN_REF,
  LOCAL_TOKEN_SECRET,
  type LocalStackInfo,
  localEnvironment,
  STATE_DIR,
  writeLocalInfo,
} from "../lib/cli/local-stack-info.js";
import { loadConfig } from "../lib/composition/config.js";
import { type Adapters, createAdapters } from "../lib/composition/from-config.js";
import { LOCAL_MODEL } from "../lib/embedding/local-embedder.js";
import { metricsNamespace } from "../lib/shared/metrics.js";
import { newPathSecret } from "../lib/webhooks/path-secret.js";
import { webhookUrlFor } from "../lib/webhooks/webhook-path.js";
import { startAwsStandIns } from "./aws-stand-ins.js";
import { createDemoWorkspace, DEMO_TOKEN, DEMO_WORKSPACE_NAME } from "./demo-workspace.js";
import { createFunctionRunner } from "./function-runner.js";
import { type FunctionUrlHandler, startFunctionUrlServer } from "./function-url-server.js";
import { NOTION_RATE_LIMIT, type NotionStandIn, startNotionServer } from "./notion-server.js";
import { type NotionWebhookSender, startNotionWebhooks } from "./notion-webhooks.js";
import type { NotionWorkspace } from "./notion-workspace.js";
import { type PineconeStandIn, startPineconeServer } from "./pinecone-server.js";
import { startSecretsManagerServer } from "./secrets-manager-server.js";
import { type BatchSummary, type QueuePoller, startQueuePoller } from "./sqs-poller.js";

export const LOCAL_TABLE_NAME = "notion-index-sync";
export const DEFAULT_TENANT = "default";
export const DEFAULT_DATASET = "default";
export const DEFAULT_WORKSPACE = "default";
/** Where the local webhook keeps verification tokens (in the Secrets Manager stand-in). */
export const LOCAL_WEBHOOK_TOKEN_PREFIX = "notion-index-sync/local/webhook/";
/**
 * The local webhook's debounce: shorter than a deployed stack's 30 s default, so the demo's edit
 * shows up quickly; the benchmark passes the deployed default.
 */
export const LOCAL_WEBHOOK_DEBOUNCE_SECONDS = 5;
/** The deployed functions' timeouts (infra/config.ts defaults): the local runner gives each as much. */
export const FUNCTION_TIMEOUT_SECONDS = { sync: 60, index: 300, webhook: 10, query: 15, oauth: 10 };

export interface LocalStackOptions {
  stateDir?: string;
  /** Keep documents, segments and vectors in `stateDir` across restarts (default true). */
  persist?: boolean;
  /** A real Notion integration token; without one, the demo workspace is served. */
  notionToken?: string;
  notionBaseUrl?: string;
  /** Serve this workspace instead of the demo one (tests). */
  workspace?: NotionWorkspace;
  /** A real Pinecone index; without one, the Pinecone stand-in is used. */
  pinecone?: { apiKey: string; indexHost: string };
  embeddingDimension?: number;
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  leaseSeconds?: number;
  /** 0 turns the scheduled sweep off. */
  sweepIntervalSeconds?: number;
  writeInfo?: boolean;
  /**
   * The webhook endpoint, and the Notion stand-in's events to it (default on when the stand-in
   * serves a workspace). `false`: no webhook at all.
   */
  webhooks?: false | { debounceSeconds?: number; deliveryDelayMs?: number; port?: number };
  /** The retrieval API on 127.0.0.1 (default on). `false`: none. */
  query?: false | { port?: number };
  /**
   * The OAuth function on 127.0.0.1, and the Notion stand-in's OAuth client (default on when the
   * stand-in serves a workspace). `false`: none. `returnUrl`: where the callback sends the browser.
   */
  oauth?: false | { port?: number; returnUrl?: string };
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
  /**
   * Time runs this many times faster than in AWS (default: NOTION_INDEX_SYNC_TIME_SCALE, else 1): the
   * Notion stand-in's rate and the functions' budget are multiplied, the functions' timeouts, the
   * lease and the checkpoint interval divided. A test or benchmark covers hours in minutes, with
   * the same ratios.
   */
  timeScale?: number;
  onBatch?: (queue: "sync" | "index", summary: BatchSummary) => void;
  /**
   * Receives each line the sync and index functions write to stdout (their logs, and their metrics
   * as EMF records, as CloudWatch Logs would). Metrics are written only when this is given: a
   * terminal or a test's output would otherwise fill with JSON.
   */
  onFunctionOutput?: (functionName: string, line: string) => void;
}

/** What the Notion stand-in's OAuth grant gives (the demo workspace, under its own Notion ids). */
export const LOCAL_OAUTH_GRANT = {
  workspaceId: "0a7f3c52-8d1e-4b6a-9f20-3c4d5e6f7a8b",
  workspaceName: DEMO_WORKSPACE_NAME,
  botId: "b07b07b0-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
};

export interface LocalStack {
  info: LocalStackInfo;
  env: Record<string, string>;
  adapters: Adapters;
  notion: NotionStandIn | undefined;
  /** The workspace the Notion stand-in serves (undefined with a real Notion token). */
  workspace: NotionWorkspace | undefined;
  pinecone: PineconeStandIn | undefined;
  /** The Notion stand-in's webhook subscription to this stack's endpoint (with the stand-in only). */
  webhooks: NotionWebhookSender | undefined;
  /** Resolves once both queues are empty and no batch is in flight. */
  waitForIdle(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

let running = false;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (running) throw new Error("a local stack is already running in this process");
  running = true;
  const stateDir = options.stateDir ?? STATE_DIR;
  const timeScale = options.timeScale ?? timeScaleFromEnvironment();
  const persist = options.persist ?? true;
  const stoppers: (() => Promise<void>)[] = [];
  try {
    const aws = await startAwsStandIns({
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 10,
      maxReceiveCount: options.maxReceiveCount ?? 3,
      dynamodbPath: persist ? join(stateDir, "dynamodb") : undefined,
      queuePrefix: "notion-index-sync-",
    });
    stoppers.push(() => aws.close());
    const { sqsServer } = aws;
    const { syncQueue, indexQueue, syncDlq, indexDlq } = aws.queues;

    const dimension = options.embeddingDimension ?? 384;
    let pinecone: PineconeStandIn | undefined;
    if (!options.pinecone) {
      pinecone = await startPineconeServer({
        dimension,
        persistPath: persist ? join(stateDir, "pinecone.json") : undefined,
      });
      stoppers.push(() => (pinecone as PineconeStandIn).close());
    }

    const webhookOptions = options.webhooks === false ? undefined : (options.webhooks ?? {});
    const notionToken = options.notionToken;
    // Tokens live in Secrets Manager, as in AWS: the functions read no token from their environment.
    // In memory here: the Notion token is stored again at every start, and the webhook's
    // verification token is handed over again by the stand-in's subscription.
    const workspace = notionToken ? undefined : (options.workspace ?? createDemoWorkspace());
    // OAuth needs the stand-in's client: a real Notion's would be the operator's own.
    const oauthOptions = options.oauth === false || !workspace ? undefined : (options.oauth ?? {});
    // Random at every start, made here: the client the stand-in knows, and the state key.
    const oauthClient = { id: randomUUID(), secret: randomBytes(24).toString("hex") };
    const secretsManager = await startSecretsManagerServer({
      secrets: {
        [LOCAL_TOKEN_SECRET]: notionToken ?? DEMO_TOKEN,
        ...(oauthOptions
          ? {
              [LOCAL_OAUTH_CLIENT_SECRET]: JSON.stringify({
                clientId: oauthClient.id,
                clientSecret: oauthClient.secret,
              }),
              [LOCAL_OAUTH_STATE_KEY_SECRET]: randomBytes(32).toString("hex"),
            }
          : {}),
      },
    });
    stoppers.push(() => secretsManager.close());

    let notion: NotionStandIn | undefined;
    if (workspace) {
      notion = await startNotionServer({
        workspace,
        tokens: [DEMO_TOKEN],
        rateLimit: {
          requestsPerSecond: NOTION_RATE_LIMIT.requestsPerSecond * timeScale,
          burst: NOTION_RATE_LIMIT.burst,
        },
        ...(oauthOptions ? { oauth: { client: oauthClient, grant: LOCAL_OAUTH_GRANT } } : {}),
      });
      stoppers.push(() => (notion as NotionStandIn).close());
    }

    const info: LocalStackInfo = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      region: "us-east-1",
      dynamodbEndpoint: aws.dynamodbEndpoint,
      sqsEndpoint: sqsServer.url,
      tableName: LOCAL_TABLE_NAME,
      syncQueueUrl: syncQueue.queueUrl,
      indexQueueUrl: indexQueue.queueUrl,
      syncDeadLetterQueueUrl: syncDlq.queueUrl,
      indexDeadLetterQueueUrl: indexDlq.queueUrl,
      pineconeHost: options.pinecone?.indexHost ?? (pinecone as PineconeStandIn).url,
      pineconeIndexName: pinecone?.indexName ?? "external",
      pineconeStandIn: pinecone !== undefined,
      notionBaseUrl: notion?.url ?? options.notionBaseUrl ?? "https://api.notion.com",
      demo: notion !== undefined,
      embedding: { provider: "local", model: LOCAL_MODEL, dimension },
      leaseSeconds: options.leaseSeconds ?? Math.max(1, Math.round(120 / timeScale)),
      timeScale,
      defaults: { tenantId: DEFAULT_TENANT, datasetId: DEFAULT_DATASET, workspaceId: DEFAULT_WORKSPACE },
      secretsManagerEndpoint: secretsManager.url,
      sweepIntervalSeconds: options.sweepIntervalSeconds ?? 300,
    };
    if (oauthOptions) {
      info.oauthClientSecretName = LOCAL_OAUTH_CLIENT_SECRET;
      info.oauthStateKeySecretName = LOCAL_OAUTH_STATE_KEY_SECRET;
    }
    if (webhookOptions) {
      info.webhookTokenSecretPrefix = LOCAL_WEBHOOK_TOKEN_PREFIX;
      info.webhookDebounceSeconds = webhookOptions.debounceSeconds ?? LOCAL_WEBHOOK_DEBOUNCE_SECONDS;
    }
    const env = localEnvironment(info);
    Object.assign(process.env, env, {
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? process.env.POWERTOOLS_LOG_LEVEL ?? "WARN",
      POWERTOOLS_DEV: process.env.POWERTOOLS_DEV ?? "false",
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace("local"),
      POWERTOOLS_METRICS_DISABLED: options.onFunctionOutput ? "false" : "true",
    });
    if (options.pinecone) process.env.PINECONE_API_KEY = options.pinecone.apiKey;
    if (oauthOptions?.returnUrl) process.env.OAUTH_RETURN_URL = oauthOptions.returnUrl;
    else delete process.env.OAUTH_RETURN_URL;

    const adapters = createAdapters(loadConfig(process.env));
    await ensureTable(adapters.dynamodb, info.tableName);
    const existingBinding = await adapters.store.getBinding(DEFAULT_TENANT, DEFAULT_WORKSPACE);
    // Kept across restarts, so a URL printed by `webhook url` stays valid.
    const webhookPathSecret = existingBinding?.webhookPathSecret ?? newPathSecret();
    await adapters.store.putBinding({
      // Keeps what the webhook learnt (the pinned Notion workspace id) across restarts.
      ...existingBinding,
      tenantId: DEFAULT_TENANT,
      provider: "notion",
      workspaceId: DEFAULT_WORKSPACE,
      tokenRef: LOCAL_TOKEN_REF,
      disabled: false,
      webhookPathSecret,
    });
    // Documents registered by an earlier run, before the page index existed, become findable.
    await createDynamoDbWebhookStore(adapters.dynamodb, info.tableName).indexDocumentPages(
      await adapters.store.listDocuments({}),
    );

    // The same modules Lambda runs, each in its own execution environment with its timeout.
    const runners = {
      sync: createFunctionRunner({
        functionName: "notion-index-sync-sync",
        handlerModule: new URL("../functions/sync/handler.ts", import.meta.url),
        timeoutMs: (FUNCTION_TIMEOUT_SECONDS.sync * 1000) / timeScale,
        onOutput:
          options.onFunctionOutput && ((line) => options.onFunctionOutput?.("notion-index-sync-sync", line)),
      }),
      index: createFunctionRunner({
        functionName: "notion-index-sync-index",
        handlerModule: new URL("../functions/index/handler.ts", import.meta.url),
        timeoutMs: (FUNCTION_TIMEOUT_SECONDS.index * 1000) / timeScale,
        onOutput:
          options.onFunctionOutput && ((line) => options.onFunctionOutput?.("notion-index-sync-index", line)),
      }),
    };
    stoppers.push(async () => {
      await Promise.all([runners.sync.stop(), runners.index.stop()]);
    });
    await Promise.all([runners.sync.warm(), runners.index.warm()]);
    const pollers: QueuePoller[] = [
      startQueuePoller({
        sqs: adapters.sqs,
        queueUrl: syncQueue.queueUrl,
        queueArn: syncQueue.queueArn,
        functionName: "notion-index-sync-sync",
        invoke: (event) => runners.sync.invoke(event),
        batchSize: 10,
        region: info.region,
        onBatch: (summary) => options.onBatch?.("sync", summary),
      }),
      startQueuePoller({
        sqs: adapters.sqs,
        queueUrl: indexQueue.queueUrl,
        queueArn: indexQueue.queueArn,
        functionName: "notion-index-sync-index",
        invoke: (event) => runners.index.invoke(event),
        batchSize: 5,
        region: info.region,
        onBatch: (summary) => options.onBatch?.("index", summary),
      }),
    ];
    stoppers.push(async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    });

    const sweepSeconds = options.sweepIntervalSeconds ?? 300;
    if (sweepSeconds > 0) {
      const timer = setInterval(() => {
        adapters.syncQueue.send({ type: "sweep" }).catch(() => undefined);
      }, sweepSeconds * 1000);
      timer.unref();
      stoppers.push(async () => clearInterval(timer));
    }

    let webhooks: NotionWebhookSender | undefined;
    if (webhookOptions) {
      const webhookModule: { handler: FunctionUrlHandler } = await import("../functions/webhook/handler.js");
      const server = await startFunctionUrlServer(webhookModule.handler, {
        port: webhookOptions.port ?? 0,
        functionName: "notion-index-sync-webhook",
        timeoutMs: (FUNCTION_TIMEOUT_SECONDS.webhook * 1000) / timeScale,
      });
      stoppers.push(() => server.close());
      info.webhookUrl = server.url;
      if (workspace) {
        webhooks = startNotionWebhooks({
          workspace,
          url: webhookUrlFor(server.url, {
            tenantId: DEFAULT_TENANT,
            workspaceId: DEFAULT_WORKSPACE,
            pathSecret: webhookPathSecret,
          }),
          deliveryDelayMs: webhookOptions.deliveryDelayMs,
        });
        const sender = webhooks;
        stoppers.push(() => sender.stop());
        const status = await sender.handshake();
        if (status !== 200) throw new Error(`the local webhook refused the handshake (HTTP ${status})`);
      }
    }

    if (options.query !== false) {
      const queryModule: { handler: FunctionUrlHandler } = await import("../functions/query/handler.js");
      const server = await startFunctionUrlServer(queryModule.handler, {
        port: options.query?.port ?? 0,
        functionName: "notion-index-sync-query",
        timeoutMs: (FUNCTION_TIMEOUT_SECONDS.query * 1000) / timeScale,
      });
      stoppers.push(() => server.close());
      info.queryUrl = server.url;
    }

    if (oauthOptions) {
      const oauthModule: { handler: FunctionUrlHandler } = await import("../functions/oauth/handler.js");
      const server = await startFunctionUrlServer(oauthModule.handler, {
        port: oauthOptions.port ?? 0,
        functionName: "notion-index-sync-oauth",
        timeoutMs: (FUNCTION_TIMEOUT_SECONDS.oauth * 1000) / timeScale,
      });
      stoppers.push(() => server.close());
      info.oauthUrl = server.url;
      // As an operator registers `OAuthRedirectUri` in the integration's settings in Notion.
      notion?.oauth?.registerRedirectUri(new URL("oauth/callback", server.url).toString());
    }

    if (options.writeInfo ?? true) await writeLocalInfo(info, stateDir);

    return {
      info,
      env,
      adapters,
      notion,
      workspace,
      pinecone,
      webhooks,
      waitForIdle: (waitOptions) =>
        waitForIdle(
          adapters.sqs,
          [info.syncQueueUrl, info.indexQueueUrl],
          pollers,
          waitOptions?.timeoutMs ?? 60_000,
        ),
      stop: () => stopAll(stoppers),
    };
  } catch (error) {
    await stopAll(stoppers);
    throw error;
  }
}

function timeScaleFromEnvironment(): number {
  const raw = process.env.NOTION_INDEX_SYNC_TIME_SCALE;
  if (raw === undefined || raw === "") return 1;
  const scale = Number(raw);
  if (!(Number.isFinite(scale) && scale >= 1 && scale <= 1000)) {
    throw new Error(
      `NOTION_INDEX_SYNC_TIME_SCALE must be a number from 1 to 1000, got ${JSON.stringify(raw)}`,
    );
  }
  return scale;
}

async function stopAll(stoppers: (() => Promise<void>)[]): Promise<void> {
  // Last started, first stopped: pollers before the queues they read.
  for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  stoppers.length = 0;
  running = false;
}

async function waitForIdle(
  sqs: SQSClient,
  queueUrls: string[],
  pollers: QueuePoller[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietChecks = 0;
  // Two quiet checks in a row: a handler may publish to the other queue just as we look.
  while (quietChecks < 2) {
    if (Date.now() > deadline) throw new Error(`the local stack did not go idle within ${timeoutMs} ms`);
    const pending = await Promise.all(queueUrls.map((url) => messagesIn(sqs, url)));
    const quiet = pending.every((count) => count === 0) && pollers.every((poller) => !poller.busy);
    quietChecks = quiet ? quietChecks + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function messagesIn(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { waiting, inFlight, delayed } = await queueCounts(sqs, queueUrl);
  return waiting + inFlight + delayed;
}
