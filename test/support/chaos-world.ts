/**
 * The chaos suite's world: the stand-ins, started once (harness.ts), and per scenario a fresh
 * DynamoDB table, two tenants with a Notion workspace each (one Notion server, one token per
 * workspace), a binding and a dataset (so a Pinecone namespace) each, and a frozen clock.
 *
 * Chaos settings that differ from production, to keep a scenario fast and replayable: the Notion
 * client times out after 250 ms and retries 5xx/429 in-function only for waits ≤ 20 ms (a longer
 * Retry-After goes back to the queue, as in production); the Pinecone client does not retry 5xx
 * itself (every injected 5xx reaches the domain); chunks are at most 50 tokens (several per page).
 */
import { DeleteTableCommand, DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { ensureTable } from "../../lib/adapters/aws/ensure-table.js";
import { createNotionConnector } from "../../lib/adapters/notion/notion-source.js";
import { createPineconeVectorIndex } from "../../lib/adapters/pinecone/pinecone-vector-index.js";
import { loadConfig } from "../../lib/composition/config.js";
import { type Adapters, createAdapters } from "../../lib/composition/from-config.js";
import type { Dataset, ProcessRule } from "../../lib/core/model.js";
import type { MessagePublisher } from "../../lib/core/ports.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { type BlockSpec, heading2, paragraph } from "../../local/notion-blocks.js";
import { NotionWorkspace } from "../../local/notion-workspace.js";
import { Random } from "./chaos-random.js";
import type { ScenarioSetup } from "./chaos-scenario.js";
import { type StandIns, startStandIns, TestClock } from "./harness.js";

export const CHAOS_LEASE_SECONDS = 120;
/** The sync and index queues' visibility timeout in the simulated deployment. */
export const VISIBILITY_SECONDS = 60;
/** The stack's redrive policy (infra/config.ts). */
export const MAX_RECEIVE_COUNT = 5;
export const NOTION_TIMEOUT_MS = 250;
/** A hung Notion request answers after this long: far past the client's timeout. */
export const NOTION_HANG_MS = 1_500;

const CHAOS_RULE: ProcessRule = {
  mode: "custom",
  maxTokens: 50,
  overlap: 5,
  removeExtraSpaces: true,
  removeUrlsEmails: false,
};
const TENANT_LETTERS = ["a", "b"] as const;
/** Obviously fake, distinctive tokens: each reaches only its own tenant's workspace. */
export const TOKENS = ["chaos-notion-token-tenant-a-not-secret", "chaos-notion-token-tenant-b-not-secret"];

export interface TenantWorld {
  tenantId: string;
  datasetId: string;
  workspaceId: string;
  namespace: string;
  workspace: NotionWorkspace;
  pageIds: string[];
  documentIds: string[];
  /** Edits made to each page so far: each edit writes a new version marker into the page. */
  versions: number[];
}

export interface ChaosWorld {
  run: number;
  setup: ScenarioSetup;
  clock: TestClock;
  adapters: Adapters;
  tenants: [TenantWorld, TenantWorld];
  /** Real publishers; the driver wraps them to note delays. */
  publishers: { sync: MessagePublisher; index: MessagePublisher };
  random: Random;
  close(): Promise<void>;
}

let runs = 0;

/**
 * Notion's rate time-scaled ×1000: the scenarios run on a clock that stands still between their
 * steps, so the budget books in that time and the stand-in's real-time limit stays far above it.
 */
const CHAOS_NOTION_RATE = { requestsPerSecond: 3000, burst: 300 };

export async function startStandInsForChaos(): Promise<StandIns> {
  const standIns = await startStandIns(
    new NotionWorkspace(),
    { LEASE_SECONDS: String(CHAOS_LEASE_SECONDS), EMBEDDING_CACHE: "on" },
    CHAOS_NOTION_RATE,
  );
  return standIns;
}

export async function createWorld(standIns: StandIns, setup: ScenarioSetup): Promise<ChaosWorld> {
  runs += 1;
  const run = runs;
  const random = new Random(setup.seed ^ 0x5eed);
  // A fixed start, a few seconds into a minute, so that minute rounding matters from the first edit.
  const clock = new TestClock(new Date(Date.UTC(2025, 0, 6, 9, 0, 7)));
  const tableName = `chaos-${run}`;
  const env = { ...standIns.env, TABLE_NAME: tableName };
  const adapters: Adapters = {
    ...createAdapters(loadConfig(env)),
    notion: createNotionConnector({
      baseUrl: standIns.notion.url,
      timeoutMs: NOTION_TIMEOUT_MS,
      retry: { maxRetries: 2, initialRetryDelayMs: 2, maxRetryDelayMs: 20 },
      // The scenario's clock: a 429's push-back of the budget ends when the driver moves time on.
      rate: CHAOS_NOTION_RATE,
      now: () => clock.now().getTime(),
    }),
    vectors: createPineconeVectorIndex({
      apiKey: env.PINECONE_API_KEY,
      indexHost: standIns.pinecone.url,
      maxRetries: 0,
    }),
  };
  await ensureTable(adapters.dynamodb, tableName);
  await untilActive(adapters, tableName);

  const undo: (() => void)[] = [];
  const tenants = [] as unknown as [TenantWorld, TenantWorld];
  for (const index of [0, 1] as const) {
    const letter = TENANT_LETTERS[index];
    // Named after the seed, not the run: a replay (or a shrink step) sees the same ids and order.
    const tenantId = `chaos-s${setup.seed}-${letter}`;
    const datasetId = `ds-${letter}`;
    const workspaceId = `ws-s${setup.seed}-${letter}`;
    const workspace = new NotionWorkspace({ clock, workspaceName: `Tenant ${letter}` });
    undo.push(standIns.notion.serve({ workspace, tokens: [TOKENS[index] as string], workspaceId }));
    await adapters.store.putBinding({
      tenantId,
      provider: "notion",
      workspaceId,
      tokenRef: standIns.secretsManager.put(`chaos/notion/${tenantId}`, TOKENS[index] as string),
      disabled: false,
    });
    const tenant: TenantWorld = {
      tenantId,
      datasetId,
      workspaceId,
      namespace: `${tenantId}.${datasetId}`,
      workspace,
      pageIds: [],
      documentIds: [],
      versions: [],
    };
    for (let page = 0; page < setup.pages[index]; page++) {
      const paragraphs = setup.paragraphs[index][page] ?? 1;
      tenant.pageIds.push(
        workspace.addPage({
          id: random.uuid(),
          title: `Page ${letter}${page}`,
          blocks: pageBlocks(random, tenant, page, 0, paragraphs),
        }),
      );
      tenant.versions.push(0);
    }
    tenants[index] = tenant;
  }
  const world: ChaosWorld = {
    run,
    setup,
    clock,
    adapters,
    tenants,
    publishers: { sync: adapters.syncQueue, index: adapters.indexQueue },
    random,
    async close() {
      for (const step of undo) step();
      // The next replay of this seed starts from empty namespaces.
      for (const tenant of tenants) {
        await adapters.vectors.deleteIds(
          tenant.namespace,
          await adapters.vectors.listIds(tenant.namespace, ""),
        );
      }
      await adapters.dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
      adapters.dynamodb.destroy();
      adapters.sqs.destroy();
    },
  };
  return world;
}

/** dynalite makes a new table ACTIVE on a timer: under load, the first write can come before it. */
async function untilActive(adapters: Adapters, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await adapters.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === "ACTIVE") return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

/** Registers every page (as `add` does: the first syncs go to the real sync queue). */
export async function registerAll(world: ChaosWorld, syncQueue: MessagePublisher): Promise<void> {
  for (const tenant of world.tenants) {
    const registered = await registerDocuments(
      { store: world.adapters.store, syncQueue, clock: world.clock },
      {
        tenantId: tenant.tenantId,
        datasetId: tenant.datasetId,
        workspaceId: tenant.workspaceId,
        pageIds: tenant.pageIds,
        embeddingModel: "local-hash-v1",
      },
    );
    tenant.documentIds = registered.map((document) => document.documentId);
    const dataset = (await world.adapters.store.getDataset(tenant.tenantId, tenant.datasetId)) as Dataset;
    await world.adapters.store.saveDataset({ ...dataset, processRule: CHAOS_RULE });
  }
}

/**
 * A page's blocks at a version: a heading and paragraphs that each carry a marker naming the page
 * and version, so a stale segment is recognisable in a failure report.
 */
export function pageBlocks(
  random: Random,
  tenant: Pick<TenantWorld, "tenantId">,
  page: number,
  version: number,
  paragraphs: number,
): BlockSpec[] {
  const marker = `${tenant.tenantId}/p${page}/v${version}`;
  const words = ["lease", "queue", "vector", "segment", "notion", "tenant", "minute", "sweep", "batch"];
  return [
    { ...heading2(`Section ${marker}`), id: random.uuid() },
    ...Array.from({ length: paragraphs }, (_, i) => ({
      ...paragraph(
        `${marker} paragraph ${i}: ${Array.from({ length: random.int(8, 40) }, () => random.pick(words)).join(" ")}.`,
      ),
      id: random.uuid(),
    })),
  ];
}
