import { DeleteMessageCommand, PurgeQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { Context, SQSRecord } from "aws-lambda";
import { ensureTable } from "../lib/adapters/aws/ensure-table.js";
import { loadConfig } from "../lib/composition/config.js";
import { createAdapters } from "../lib/composition/from-config.js";
import type { Log } from "../lib/core/ports.js";
import { registerDocuments } from "../lib/documents/register.js";
import { createIndexRecordHandler } from "../lib/sqs-records/index-record.js";
import { createSyncRecordHandler } from "../lib/sqs-records/sync-record.js";
import type { SweepResult } from "../lib/sync/sweep.js";
import { startAwsStandIns } from "../local/aws-stand-ins.js";
import { bulleted, paragraph } from "../local/notion-blocks.js";
import { startNotionServer } from "../local/notion-server.js";
import { NotionWorkspace } from "../local/notion-workspace.js";
import { startPineconeServer } from "../local/pinecone-server.js";
import { startSecretsManagerServer } from "../local/secrets-manager-server.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const SCALE = Number(process.env.SCALE ?? 20);
const CASES = (process.env.CASES ?? "a,b,c,d,e").split(",");
const NOTION_RATE = 3;
const TIMEOUTS = { sync: 60_000, index: 300_000 };
const INSTANCES = { sync: 2, index: 5 };
/** Rows of case (e). */
const ROWS = Number(process.env.ROWS ?? 25_000);
const BATCH = { sync: 10, index: 5 };
const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };

interface Tenant {
  tenantId: string;
  token: string;
  workspace: NotionWorkspace;
}

/** The stand-ins, the adapters as the functions build them, and Lambda-like consumers. */
async function startRig(tenants: Tenant[], options: { fairQueues?: boolean } = {}) {
  const aws = await startAwsStandIns({
    visibilityTimeoutSeconds: Math.ceil(1800 / SCALE),
    fairQueues: options.fairQueues,
  });
  const { syncQueue, indexQueue } = aws.queues;
  const pinecone = await startPineconeServer({ dimension: 64 });
  const notion = await startNotionServer({
    workspaces: tenants.map((tenant) => ({ workspace: tenant.workspace, tokens: [tenant.token] })),
    rateLimit: { requestsPerSecond: NOTION_RATE * SCALE, burst: 5 },
  });
  const secrets = await startSecretsManagerServer();
  const config = loadConfig({
    TABLE_NAME: "scale",
    DYNAMODB_ENDPOINT: aws.dynamodbEndpoint,
    ...aws.queueEnvironment,
    PINECONE_INDEX_HOST: pinecone.url,
    PINECONE_API_KEY: "bench",
    NOTION_BASE_URL: notion.url,
    SECRETS_MANAGER_ENDPOINT: secrets.url,
    EMBEDDING_DIMENSION: "64",
    NOTION_REQUESTS_PER_SECOND: String(NOTION_RATE * SCALE),
    LEASE_SECONDS: String(Math.max(1, Math.round(900 / SCALE))),
  });
  const adapters = createAdapters(config);
  let budgetRequests = 0;
  adapters.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      // Document-client commands carry plain keys here; low-level ones typed values.
      const pk = (args.input as { Key?: { pk?: string | { S?: string } } }).Key?.pk;
      const name = typeof pk === "string" ? pk : pk?.S;
      if (name?.startsWith("BUDGET#")) budgetRequests += 1;
      void context;
      return next(args);
    },
    { step: "initialize", name: "countBudgetRequests" },
  );
  await ensureTable(adapters.dynamodb, config.TABLE_NAME);
  for (const tenant of tenants) {
    await adapters.store.putBinding({
      tenantId: tenant.tenantId,
      provider: "notion",
      workspaceId: "ws",
      tokenRef: secrets.put(`scale/${tenant.tenantId}`, tenant.token),
      disabled: false,
    });
  }
  const clock = { now: () => new Date() };
  const ports = { ...adapters, clock, log: quiet };
  const sync = createSyncRecordHandler(
    { ...ports, deadLetters: adapters.syncDeadLetters },
    { leaseSeconds: config.LEASE_SECONDS, stopBeforeDeadlineMs: 20_000 / SCALE },
  );
  const index = createIndexRecordHandler(
    { ...ports, deadLetters: adapters.indexDeadLetters },
    {
      leaseSeconds: config.LEASE_SECONDS,
      stopBeforeDeadlineMs: 45_000 / SCALE,
      checkpointEveryMs: 60_000 / SCALE,
    },
  );
  let messages = 0;
  let lastBatchDoneAt = 0;
  const record = (body: string): SQSRecord => {
    messages += 1;
    const now = String(Date.now());
    return {
      messageId: `m-${messages}`,
      receiptHandle: "r",
      body,
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: now,
        SenderId: "b",
        ApproximateFirstReceiveTimestamp: now,
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:b",
      awsRegion: "us-east-1",
    };
  };

  /** One Lambda instance: receive a batch, run it with a deadline, delete what succeeded. */
  async function instance(
    queueUrl: string,
    handler: (record: SQSRecord, context: Pick<Context, "getRemainingTimeInMillis">) => Promise<unknown>,
    kind: "sync" | "index",
    idle: { quietSince: number },
  ): Promise<void> {
    for (;;) {
      const received = await adapters.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: BATCH[kind],
          WaitTimeSeconds: 0,
        }),
      );
      const batch = received.Messages ?? [];
      if (batch.length === 0) {
        if (Date.now() - idle.quietSince > 1500) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      idle.quietSince = Number.POSITIVE_INFINITY;
      const deadline = Date.now() + TIMEOUTS[kind] / SCALE;
      const context = { getRemainingTimeInMillis: () => deadline - Date.now() };
      await Promise.all(
        batch.map(async (message) => {
          await handler(record(message.Body ?? ""), context).then(
            () =>
              adapters.sqs.send(
                new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
              ),
            () => undefined,
          );
        }),
      );
      idle.quietSince = Date.now();
      lastBatchDoneAt = idle.quietSince;
    }
  }

  return {
    adapters,
    notion,
    budgetRequests: () => budgetRequests,
    /** When the last batch ended: the work's end, without the quiet spell that tells it is over. */
    lastBatchDoneAt: () => lastBatchDoneAt,
    /** Drops the first syncs that registering queued (a case that sets documents up by hand). */
    async purgeSyncQueue() {
      await adapters.sqs.send(new PurgeQueueCommand({ QueueUrl: syncQueue.queueUrl }));
    },
    /** Runs both queues with their instances until everything is quiet for 1.5 s. */
    async runUntilQuiet(): Promise<{ sweeps: SweepResult[] }> {
      const idle = { quietSince: Date.now() };
      const sweeps: SweepResult[] = [];
      const syncHandler = async (r: SQSRecord, c: Pick<Context, "getRemainingTimeInMillis">) => {
        const result = await sync(r, c);
        if (result && "mode" in result) sweeps.push(result);
      };
      await Promise.all([
        ...Array.from({ length: INSTANCES.sync }, () =>
          instance(syncQueue.queueUrl ?? "", syncHandler, "sync", idle),
        ),
        ...Array.from({ length: INSTANCES.index }, () =>
          instance(indexQueue.queueUrl ?? "", index, "index", idle),
        ),
      ]);
      return { sweeps };
    },
    async register(tenant: Tenant, pageIds: string[]) {
      return registerDocuments(
        { store: adapters.store, syncQueue: adapters.syncQueue, clock },
        {
          tenantId: tenant.tenantId,
          datasetId: `${tenant.tenantId}-ds`,
          workspaceId: "ws",
          pageIds,
          embeddingModel: "local-hash-v1",
        },
      );
    },
    async close() {
      await secrets.close();
      await notion.close();
      await pinecone.close();
      await aws.close();
    },
  };
}

interface Figures {
  name: string;
  /** Unscaled seconds. */
  wallSeconds: number;
  limitSeconds: number;
  requests: number;
  rateLimited: number;
  pages: number;
  minimumPerPage: number;
  budgetRequests: number;
  /** With several tenants: each one's requests ÷ what its own budget allowed over the wall time. */
  budgetUsed?: string;
  note?: string;
}

function tenant(name: string): Tenant {
  return { tenantId: name, token: `${name}-token-not-a-secret`, workspace: new NotionWorkspace() };
}

function totalRequests(rig: Awaited<ReturnType<typeof startRig>>): number {
  return (
    Object.values(rig.notion.requestCounts()).reduce((sum, count) => sum + count, 0) -
    rig.notion.rateLimited()
  );
}

/** Runs one case: set-up, then the timed work; figures against the physical limit. */
async function measure(
  name: string,
  tenants: Tenant[],
  work: (
    rig: Awaited<ReturnType<typeof startRig>>,
    /** Called when the set-up is done and the measured work begins. */
    begin: () => void,
  ) => Promise<{ pages: number; minimumRequests: number; note?: string }>,
  rigOptions: { fairQueues?: boolean } = {},
): Promise<Figures> {
  const rig = await startRig(tenants, rigOptions);
  try {
    process.stderr.write(`${name}…\n`);
    let started = Date.now();
    const result = await work(rig, () => {
      rig.notion.resetCounts();
      started = Date.now();
    });
    const ended = Math.max(started, rig.lastBatchDoneAt() || Date.now());
    const wallSeconds = ((ended - started) / 1000) * SCALE;
    const requests = totalRequests(rig);
    const budgetUsed =
      tenants.length < 2
        ? undefined
        : tenants
            .map((t) => {
              const used = (rig.notion.activity(t.workspace)?.requests ?? 0) / (NOTION_RATE * wallSeconds);
              return `${t.tenantId} used ${Math.round(100 * used)} % of its budget`;
            })
            .join(", ");
    return {
      name,
      wallSeconds,
      // The requests made, at 3 a second per binding (each binding has its own budget).
      limitSeconds: requests / tenants.length / NOTION_RATE,
      requests,
      rateLimited: rig.notion.rateLimited(),
      pages: result.pages,
      minimumPerPage: result.minimumRequests / result.pages,
      budgetRequests: rig.budgetRequests(),
      budgetUsed,
      note: result.note,
    };
  } finally {
    await rig.close();
  }
}

/** A page of `blocks` blocks: bullets of three sub-bullets, so about one request per four blocks. */
function nestedPage(workspace: NotionWorkspace, blocks: number): string {
  const top = Math.ceil(blocks / 4);
  return workspace.addPage({
    title: "Big nested page",
    blocks: Array.from({ length: top }, (_, i) =>
      bulleted(`point ${i}`, [bulleted(`a ${i}`), bulleted(`b ${i}`), bulleted(`c ${i}`)]),
    ),
  });
}

async function backfill(
  rig: Awaited<ReturnType<typeof startRig>>,
  begin: () => void,
  tenants: Tenant[],
  pages: number,
) {
  for (const t of tenants) {
    const ids = Array.from({ length: pages }, (_, i) =>
      t.workspace.addPage({ title: `${t.tenantId} page ${i}`, blocks: [paragraph(`text ${i}`)] }),
    );
    // Registering queues the first syncs; nothing runs them until the instances start.
    await rig.register(t, ids);
  }
  begin();
  await rig.runUntilQuiet();
  // Per page: the sync's state read, the index run's state read, the page, its children.
  return { pages: pages * tenants.length, minimumRequests: 2 * pages * tenants.length };
}

const results: Figures[] = [];

if (CASES.includes("a")) {
  const t = tenant("a");
  const pageId = nestedPage(t.workspace, 5000);
  results.push(
    await measure("(a) 5,000-block nested page", [t], async (rig, begin) => {
      await rig.register(t, [pageId]);
      begin();
      await rig.runUntilQuiet();
      const [document] = await rig.adapters.store.listDocuments({ tenantId: "a" });
      // The page and one listing per 100 children of each parent: 1 + 13 + 1,250.
      return { pages: 1, minimumRequests: 1 + 13 + 1250, note: `status ${document?.indexingStatus}` };
    }),
  );
}
if (CASES.includes("b")) {
  const t = tenant("b");
  results.push(
    await measure("(b) backfill of 2,000 pages", [t], (rig, begin) => backfill(rig, begin, [t], 2000)),
  );
}
if (CASES.includes("c")) {
  // Messages carry their tenant as MessageGroupId, which makes SQS's standard queues fair queues;
  // beside it, the same work as delivered before fair queues (arrival order).
  for (const fairQueues of [true, false]) {
    const tenants = [tenant("c1"), tenant("c2")];
    const name = `(c) two tenants, 1,000 pages each${fairQueues ? "" : ", no fair queues"}`;
    results.push(
      await measure(name, tenants, (rig, begin) => backfill(rig, begin, tenants, 1000), { fairQueues }),
    );
  }
}
if (CASES.includes("d")) {
  const t = tenant("d");
  results.push(
    await measure("(d) sweep of 20,000 pages, 20 edits, 5 deletions", [t], async (rig, begin) => {
      const ids = Array.from({ length: 20_000 }, (_, i) => t.workspace.addPage({ title: `p${i}` }));
      // Registered and indexed as of the last sweep: set up directly, not timed as Notion work.
      const registered = await rig.register(t, ids);
      await rig.purgeSyncQueue();
      for (const { documentId } of registered) {
        const document = await rig.adapters.store.getDocument(documentId);
        if (document === undefined) continue;
        await rig.adapters.store.updateDocument(documentId, document.generation, {
          indexingStatus: "completed",
          dataSourceInfo: {
            ...document.dataSourceInfo,
            type: "page",
            lastEditedTime: t.workspace.stamp(),
            contentReadAt: new Date(Date.now() + 120_000).toISOString(),
          },
        });
      }
      const binding = await rig.adapters.store.getBinding("d", "ws");
      if (binding) {
        await rig.adapters.store.putBinding({
          ...binding,
          sweep: {
            listedObjects: 20_000,
            lastFullListingAt: new Date().toISOString(),
            watermark: new Date(Date.now() - 60_000).toISOString(),
          },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 61_000 / SCALE));
      for (const id of ids.slice(0, 20)) t.workspace.appendParagraph(id, "an edit");
      for (const id of ids.slice(20, 25)) t.workspace.trashPage(id);
      begin();
      await rig.adapters.syncQueue.send({ type: "sweep", tenantId: "d" });
      const { sweeps } = await rig.runUntilQuiet();
      const sweep = sweeps.find((result) => result.listing !== undefined);
      return {
        pages: 20_000,
        // One search page for the edits, and a state read for each edited page.
        minimumRequests: 1 + 20,
        note: `${sweep?.listing} listing: ${JSON.stringify(sweep?.reasons)}; deletions wait for the daily full listing or a webhook`,
      };
    }),
  );
}
if (CASES.includes("e")) {
  // Rows created over days, 200 a minute (a bulk import faster than 10,000 a minute cannot be read).
  let createdAt = Date.now() - 3 * 24 * 3600_000;
  const t = { ...tenant("e"), workspace: new NotionWorkspace({ clock: { now: () => new Date(createdAt) } }) };
  const database = t.workspace.addDatabase({ title: "Tickets", columns: { Name: "title" } });
  for (let i = 0; i < ROWS; i++) {
    if (i % 200 === 0) createdAt += 60_000;
    t.workspace.addRow(database.dataSourceId, { Name: `Ticket ${i}` });
  }
  results.push(
    await measure(`(e) database of ${ROWS.toLocaleString("en")} rows`, [t], async (rig, begin) => {
      await rig.register(t, [database.databaseId]);
      begin();
      await rig.runUntilQuiet();
      const [document] = await rig.adapters.store.listDocuments({ tenantId: "e" });
      const segments = await rig.adapters.store.listSegments(document?.documentId ?? "");
      const rows = new Set(segments.flatMap((segment) => segment.content.match(/Ticket \d+/g) ?? []));
      // The database, 250 queries, each row's body.
      const ended = document?.error ? ` (${document.indexingStatus}: ${document.error})` : "";
      return {
        pages: ROWS,
        minimumRequests: 1 + Math.ceil(ROWS / 100) + ROWS,
        note: `${rows.size} of ${ROWS} rows indexed${ended}`,
      };
    }),
  );
}

console.log(`Scale against Notion's physical limit (3 requests/s per integration), time ×${SCALE}`);
console.log(
  [
    "case".padEnd(52),
    "wall/limit",
    "429s".padStart(6),
    "req/page".padStart(9),
    "min/page".padStart(9),
    "DDB/req".padStart(8),
  ].join(" "),
);
for (const r of results) {
  console.log(
    [
      r.name.padEnd(52),
      `${(r.wallSeconds / r.limitSeconds).toFixed(2)}×`.padStart(10),
      `${r.rateLimited} (${((100 * r.rateLimited) / Math.max(1, r.requests)).toFixed(1)}%)`.padStart(6),
      (r.requests / r.pages).toFixed(3).padStart(9),
      r.minimumPerPage.toFixed(3).padStart(9),
      (r.budgetRequests / Math.max(1, r.requests)).toFixed(2).padStart(8),
    ].join(" "),
  );
  console.log(
    `    ${Math.round(r.wallSeconds)} s for ${Math.round(r.limitSeconds)} s at the limit; ${r.requests} Notion requests${r.budgetUsed ? `; ${r.budgetUsed}` : ""}${r.note ? `; ${r.note}` : ""}`,
  );
}
