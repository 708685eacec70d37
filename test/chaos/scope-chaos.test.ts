/**
 * Seeded chaos for followed scopes (docs/scopes.md): random creations (under pages, inside toggles,
 * at the top level), moves in and out of the followed subtree, unsharing and sharing, trash and
 * restore, edits, sweeps and webhook deliveries, with queue messages handled out of order and
 * twice. Once quiet, the dataset must hold exactly what Notion's truth places under the root:
 * every live page and database there completed with vectors, nothing else with any vector.
 *
 * - `npm test`: SCOPE_CHAOS_SCENARIOS (default 3) scenarios from seed SCOPE_CHAOS_BASE_SEED (default 1).
 * - `npm run test:chaos`: 100 of them (each scenario adds pages to one shared workspace, so time
 *   grows faster than the count: 200 take about 21 minutes here).
 */
import type { Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultDataset } from "../../lib/core/datasets.js";
import { pauseDataset } from "../../lib/documents/pause.js";
import { setDatasetScope } from "../../lib/scopes/set-scope.js";
import { createSyncRecordHandler } from "../../lib/sqs-records/sync-record.js";
import { paragraph, toggle } from "../../local/notion-blocks.js";
import type { WorkspaceChange } from "../../local/notion-workspace.js";
import { Random } from "../support/chaos-random.js";
import { type Harness, LEASE_SECONDS, TENANT, WORKSPACE } from "../support/harness.js";
import { startWebhookHarness, type WebhookHarness } from "../support/webhook-harness.js";

const scenarioCount = Number(process.env.SCOPE_CHAOS_SCENARIOS ?? 3);
const baseSeed = Number(process.env.SCOPE_CHAOS_BASE_SEED ?? 1);
const EVENTS_PER_SCENARIO = 30;

let webhook: WebhookHarness;
let h: Harness;
/**
 * Sweeps list incrementally, with a full listing every 5 minutes at most: moves must be followed
 * from the few objects an incremental listing returns (a moved page's descendants are not listed).
 */
let syncHandler: ReturnType<typeof createSyncRecordHandler>;
const changes: WorkspaceChange[] = [];

beforeAll(async () => {
  webhook = await startWebhookHarness();
  h = webhook.harness;
  syncHandler = createSyncRecordHandler(h.syncPorts, {
    leaseSeconds: LEASE_SECONDS,
    fullListingMaxObjects: 0,
    fullListingEveryMs: 5 * 60_000,
  });
  await webhook.handshake();
  h.workspace.onChange((change) => changes.push(change));
});
afterAll(async () => {
  await webhook?.close();
});

interface World {
  random: Random;
  datasetId: string;
  root: string;
  toggleBlock: string;
  /** Every page and database the scenario made (some outside the root). */
  objects: string[];
  databases: Set<string>;
  journal: string[];
}

async function startScenario(seed: number): Promise<World> {
  changes.length = 0;
  const random = new Random(seed);
  const datasetId = `chaos-scope-${seed}`;
  const root = h.workspace.addPage({
    title: `Scope chaos ${seed}`,
    blocks: [paragraph(`root ${seed}`), toggle("Folded", [paragraph("folded")])],
  });
  const toggleBlock = h.workspace.visiblePage(root)?.blocks[1]?.id as string;
  const world: World = {
    random,
    datasetId,
    root,
    toggleBlock,
    objects: [root],
    databases: new Set(),
    journal: [],
  };
  for (let i = 0; i < random.int(2, 5); i++) create(world);
  await h.store.ensureDataset(defaultDataset(TENANT, datasetId, "local-hash-v1", h.clock.now()));
  await setDatasetScope(
    { ...h.adapters, clock: h.clock },
    { tenantId: TENANT, datasetId, workspaceId: WORKSPACE, kind: "subtree", roots: [root] },
  );
  return world;
}

function create(world: World): void {
  const { random } = world;
  const where = random.weighted({ under: 6, toggle: 1, top: 2, database: 1 });
  const parent = random.pick(world.objects.filter((id) => !world.databases.has(id) && !inTrash(id)));
  const title = `p${world.objects.length}-${random.int(0, 9999)}`;
  if (where === "database") {
    const { databaseId } = h.workspace.addDatabase({
      title,
      parentPageId: parent,
      columns: { Name: "title" },
      rows: [{ Name: `${title} row` }],
    });
    world.databases.add(databaseId);
    world.objects.push(databaseId);
    world.journal.push(`database ${databaseId} under ${parent}`);
    return;
  }
  const id = h.workspace.addPage({
    title,
    blocks: [paragraph(`${title} text`)],
    ...(where === "under"
      ? { parentPageId: parent }
      : where === "toggle"
        ? { parentBlockId: world.toggleBlock }
        : {}),
  });
  world.objects.push(id);
  world.journal.push(`page ${id} ${where === "under" ? `under ${parent}` : where}`);
}

function inTrash(id: string): boolean {
  return (h.workspace.visiblePage(id) ?? h.workspace.visibleDatabase(id))?.inTrash === true;
}

/** Pages and databases below `id` in the stand-in (a move must not make a cycle). */
function below(world: World, id: string): Set<string> {
  const found = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const candidate of world.objects) {
      if (found.has(candidate)) continue;
      const parent = h.workspace.containerOf(candidate);
      if (parent === id || (parent !== undefined && found.has(parent))) {
        found.add(candidate);
        grew = true;
      }
    }
  }
  return found;
}

/**
 * Moves a random page (not the root) under another page of the scenario, or to the top level.
 * `visibleOnly`: a visible page under a visible page, a move the integration can see.
 */
function move(world: World, visibleOnly = false): void {
  const { random } = world;
  // Notion takes a page's sub-pages to the trash with it: the scenarios never move a page in the
  // trash, nor put anything under one, so no page sits below a page in the trash.
  const visible = (id: string) => !inTrash(id) && (!visibleOnly || h.workspace.visiblePage(id) !== undefined);
  const pages = world.objects.filter((id) => !world.databases.has(id) && id !== world.root && visible(id));
  if (pages.length === 0) return;
  const some = random.pick(pages);
  const targets = world.objects.filter(
    (id) => !world.databases.has(id) && id !== some && !below(world, some).has(id) && visible(id),
  );
  const target = random.chance(0.2) || targets.length === 0 ? undefined : random.pick(targets);
  h.workspace.movePage(some, target);
  world.journal.push(`move ${some} to ${target ?? "top"}${visibleOnly ? " (visible)" : ""}`);
}

/**
 * Moves a visible page that has pages below it across the scope's edge: out to the top level when it
 * is inside, under the root when it is outside. What is below it moves with it, unlisted.
 */
function moveAcross(world: World): void {
  const { live } = truth(world);
  const candidates = world.objects.filter(
    (id) =>
      id !== world.root &&
      !world.databases.has(id) &&
      !inTrash(id) &&
      h.workspace.visiblePage(id) !== undefined &&
      below(world, id).size > 0,
  );
  if (candidates.length === 0) return;
  const page = world.random.pick(candidates);
  const target = live.has(page) ? undefined : world.root;
  h.workspace.movePage(page, target);
  world.journal.push(`move ${page} (with ${below(world, page).size} below) to ${target ?? "top"}`);
}

async function step(world: World): Promise<void> {
  const { random } = world;
  const pages = world.objects.filter((id) => !world.databases.has(id) && id !== world.root);
  const kind = random.weighted({
    create: 5,
    move: 4,
    unshare: 1,
    share: 1,
    trash: 1,
    restore: 1,
    edit: 2,
    sweep: 3,
    webhook: 3,
    deliver: 6,
  });
  const some = pages.length > 0 ? random.pick(pages) : undefined;
  switch (kind) {
    case "create":
      create(world);
      return;
    case "move":
      move(world);
      return;
    case "unshare":
    case "share":
    case "trash":
    case "restore":
      if (some === undefined) return;
      if (kind === "unshare") h.workspace.unsharePage(some);
      if (kind === "share") h.workspace.sharePage(some);
      if (kind === "trash") {
        if (below(world, some).size > 0) return;
        h.workspace.trashPage(some);
      }
      if (kind === "restore") h.workspace.restorePage(some);
      world.journal.push(`${kind} ${some}`);
      return;
    case "edit":
      if (some === undefined) return;
      h.workspace.appendParagraph(some, `edit ${random.int(0, 9999)}`);
      return;
    case "sweep": {
      h.clock.advance(61_000);
      const swept = await syncHandler(h.record(JSON.stringify({ type: "sweep", tenantId: TENANT })));
      world.journal.push(`sweep (${(swept as { listing?: string } | undefined)?.listing})`);
      return;
    }
    case "webhook":
      for (const change of changes.splice(0)) {
        await webhook.send(webhook.event(change, { id: `evt-${random.int(0, 1e9)}` }));
      }
      world.journal.push("webhook deliveries");
      return;
    case "deliver":
      await deliver(world);
      return;
  }
}

/** Handles the waiting messages of both queues in a random order, some of them twice. */
async function deliver(world: World): Promise<void> {
  const messages: { queue: "sync" | "index"; message: Message }[] = [
    ...(await h.receiveAll(h.queues.syncQueue.queueUrl)).map((message) => ({
      queue: "sync" as const,
      message,
    })),
    ...(await h.receiveAll(h.queues.indexQueue.queueUrl)).map((message) => ({
      queue: "index" as const,
      message,
    })),
  ];
  while (messages.length > 0) {
    const [next] = messages.splice(world.random.int(0, messages.length - 1), 1);
    if (next === undefined) break;
    const times = world.random.chance(0.15) ? 2 : 1;
    for (let i = 0; i < times; i++) {
      const record = h.record(next.message.Body ?? "");
      await (next.queue === "sync" ? syncHandler(record) : h.indexHandler(record));
    }
  }
}

/** Quiet: webhook deliveries done, then sweeps and queues until nothing moves. */
async function settle(): Promise<void> {
  for (const change of changes.splice(0)) {
    await webhook.send(webhook.event(change, { id: `evt-final-${Math.random()}` }));
  }
  // Full listings: absence (unshared, deleted) is found only by them.
  for (const advance of [6 * 60_000, 6 * 60_000]) {
    h.clock.advance(advance);
    await syncHandler(h.record(JSON.stringify({ type: "sweep", tenantId: TENANT })));
    await drain();
  }
}

/**
 * A finished scenario's dataset stops following (paused, and off the binding's list), so that the
 * next scenarios' sweeps and events do not keep serving every earlier one.
 */
async function retire(world: World): Promise<void> {
  await pauseDataset(h.store, TENANT, world.datasetId);
  const binding = await h.store.getBinding(TENANT, WORKSPACE);
  if (binding === undefined) return;
  await h.store.putBinding({
    ...binding,
    followers: (binding.followers ?? []).filter((id) => id !== world.datasetId),
  });
}

/** Both queues until nothing is left, through this file's sync handler. */
async function drain(): Promise<void> {
  for (;;) {
    const sync = await h.receiveAll(h.queues.syncQueue.queueUrl);
    for (const message of sync) await syncHandler(h.record(message.Body ?? ""));
    const indexed = await h.drainIndexQueue();
    if (sync.length === 0 && indexed.length === 0) return;
  }
}

/**
 * What Notion's truth puts in the scope: objects the integration can see whose chain of parents
 * reaches the root through pages it can see too (one reachable only through a page it cannot see
 * cannot be placed, so it is out).
 */
function truth(world: World): { live: Set<string>; trashed: Set<string> } {
  const live = new Set<string>();
  const trashed = new Set<string>();
  const seen = (id: string) => h.workspace.visiblePage(id) ?? h.workspace.visibleDatabase(id);
  for (const id of world.objects) {
    const object = seen(id);
    if (object === undefined) continue;
    let current: string | undefined = id;
    let inside = false;
    for (let depth = 0; current !== undefined && depth < 64; depth += 1) {
      if (current === world.root) {
        inside = true;
        break;
      }
      current = h.workspace.containerOf(current);
      if (current !== undefined && seen(current) === undefined) break;
    }
    if (inside) (object.inTrash ? trashed : live).add(id);
  }
  return { live, trashed };
}

async function violations(world: World): Promise<string[]> {
  const found: string[] = [];
  const { live, trashed } = truth(world);
  const documents = await h.store.listDocuments({ tenantId: TENANT, datasetId: world.datasetId });
  const vectors = h.pinecone.ids(`${TENANT}.${world.datasetId}`);
  const byPage = new Map(documents.map((document) => [document.dataSourceInfo.pageId, document]));
  for (const id of live) {
    const document = byPage.get(id);
    if (document?.indexingStatus !== "completed") {
      found.push(
        `${id} is in the scope but its document is ${document ? document.indexingStatus : "missing"}`,
      );
    } else if (!vectors.some((vector) => vector.startsWith(`${document.documentId}#`))) {
      found.push(`${id} is in the scope, completed, but has no vector`);
    }
  }
  for (const document of documents) {
    const pageId = document.dataSourceInfo.pageId;
    if (live.has(pageId)) continue;
    const stray = vectors.filter((vector) => vector.startsWith(`${document.documentId}#`));
    if (stray.length > 0) found.push(`${pageId} is outside the scope but has ${stray.length} vectors`);
    // A page in the trash when it left keeps its archived record (no content) until it is restored,
    // deleted, or the daily reconcile checks it: then its sync removes it.
    if (!trashed.has(pageId) && document.indexingStatus !== "archived") {
      found.push(`${pageId} is outside the scope but still a document (${document.indexingStatus})`);
    }
  }
  return found;
}

describe("scope chaos", () => {
  it(
    `${scenarioCount} seeded scenarios keep a followed subtree exactly complete`,
    async () => {
      const failures: string[] = [];
      for (let i = 0; i < scenarioCount; i++) {
        const seed = baseSeed + i;
        const world = await startScenario(seed);
        for (let n = 0; n < EVENTS_PER_SCENARIO; n++) await step(world);
        await settle();
        let found = await violations(world);
        if (found.length === 0) {
          // Then moves that only an incremental listing follows: the moved page is listed, what is
          // below it is not, and must move with it.
          changes.length = 0;
          moveAcross(world);
          for (let n = 0; n < 2; n++) move(world, true);
          h.clock.advance(61_000);
          const swept = await syncHandler(h.record(JSON.stringify({ type: "sweep", tenantId: TENANT })));
          world.journal.push(`final incremental sweep (${(swept as { listing?: string }).listing})`);
          await drain();
          found = (await violations(world)).map((violation) => `after the final moves: ${violation}`);
        }
        await retire(world);
        if (found.length > 0) {
          failures.push(`seed ${seed}:\n  ${found.join("\n  ")}\njournal:\n  ${world.journal.join("\n  ")}`);
          if (failures.length >= 2) break;
        }
      }
      console.log(`scope chaos: ${scenarioCount} scenarios, ${failures.length} failing`);
      expect(failures.join("\n\n")).toBe("");
    },
    30 * 60_000,
  );
});
