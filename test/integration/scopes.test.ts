/**
 * Datasets that follow a scope (docs/scopes.md), end to end on the stand-ins: the real sync and index
 * handlers, the webhook handler, DynamoDB, SQS, Pinecone and the Notion stand-in (whose sharing is
 * inherited as Notion's is). A followed subtree stays complete through creations, moves, unsharing and
 * deletions, whether they come by sweep or by webhook, and nothing outside a scope is indexed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { datasetSetCommand } from "../../lib/cli/commands/dataset.js";
import { followCommand } from "../../lib/cli/commands/scope.js";
import { statusCommand } from "../../lib/cli/commands/status.js";
import { defaultDataset } from "../../lib/core/datasets.js";
import type { Document } from "../../lib/core/model.js";
import { pauseDataset, resumeDataset } from "../../lib/documents/pause.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { type SetScopeRequest, setDatasetScope } from "../../lib/scopes/set-scope.js";
import { PermanentError } from "../../lib/shared/errors.js";
import { createSyncRecordHandler } from "../../lib/sqs-records/sync-record.js";
import type { SweepResult } from "../../lib/sync/sweep.js";
import { paragraph, toggle } from "../../local/notion-blocks.js";
import type { WorkspaceChange } from "../../local/notion-workspace.js";
import { harnessConnection, printedBy } from "../support/cli-in-process.js";
import { type Harness, LEASE_SECONDS, TENANT, WORKSPACE } from "../support/harness.js";
import { startWebhookHarness, type WebhookHarness } from "../support/webhook-harness.js";

let webhook: WebhookHarness;
let h: Harness;
const changes: WorkspaceChange[] = [];

beforeAll(async () => {
  webhook = await startWebhookHarness();
  h = webhook.harness;
  await webhook.handshake();
  h.workspace.onChange((change) => changes.push(change));
});
afterAll(async () => {
  await webhook?.close();
});
beforeEach(async () => {
  await h.settle();
  changes.length = 0;
});

const ports = () => ({ ...h.adapters, clock: h.clock });

async function follow(datasetId: string, request: Partial<SetScopeRequest> & { kind: string }) {
  await h.store.ensureDataset(defaultDataset(TENANT, datasetId, "local-hash-v1", h.clock.now()));
  return setDatasetScope(ports(), {
    tenantId: TENANT,
    datasetId,
    workspaceId: WORKSPACE,
    roots: [],
    ...request,
  });
}

async function sweep(): Promise<SweepResult> {
  h.clock.advance(61_000);
  const result = await h.syncHandler(h.record(JSON.stringify({ type: "sweep", tenantId: TENANT })));
  await h.settle();
  return result as SweepResult;
}

async function documentsOf(datasetId: string): Promise<Document[]> {
  return h.store.listDocuments({ tenantId: TENANT, datasetId });
}

async function pagesOf(datasetId: string): Promise<string[]> {
  return (await documentsOf(datasetId)).map((document) => document.dataSourceInfo.pageId).sort();
}

const sorted = (ids: string[]) => [...ids].sort();

/** Signs and delivers the workspace's changes since the last call, as Notion's webhooks would. */
async function deliverChanges(types: string[]) {
  const replies = [];
  for (const change of changes.splice(0)) {
    if (!types.includes(change.type)) continue;
    replies.push(await webhook.send(webhook.event(change, { id: `evt-${Math.random()}` })));
  }
  return replies;
}

/**
 * A wiki: root → child → grandchild; a page inside a toggle of the root (its parent is a block); a
 * database with rows under the child; and a page outside it all.
 */
function wiki(prefix: string) {
  const root = h.workspace.addPage({
    title: `${prefix} root`,
    blocks: [paragraph(`${prefix} root text`), { ...toggle("More", [paragraph("inside")]), id: undefined }],
  });
  const toggleId = h.workspace.visiblePage(root)?.blocks[1]?.id as string;
  const inToggle = h.workspace.addPage({
    title: `${prefix} in a toggle`,
    parentBlockId: toggleId,
    blocks: [paragraph(`${prefix} toggled page`)],
  });
  const child = h.workspace.addPage({
    title: `${prefix} child`,
    parentPageId: root,
    blocks: [paragraph("child")],
  });
  const grandchild = h.workspace.addPage({
    title: `${prefix} grandchild`,
    parentPageId: child,
    blocks: [paragraph("grandchild")],
  });
  const { databaseId } = h.workspace.addDatabase({
    title: `${prefix} tracker`,
    parentPageId: child,
    columns: { Name: "title" },
    rows: [{ Name: `${prefix} row one` }, { Name: `${prefix} row two` }],
  });
  const outside = h.workspace.addPage({
    title: `${prefix} elsewhere`,
    blocks: [paragraph("not in the wiki")],
  });
  return { root, inToggle, child, grandchild, databaseId, outside };
}

// First: a workspace scope takes every page in the workspace, so it runs before the others add theirs.
describe("workspace scope", () => {
  it("workspace scope holds every page and database, never a row; back to pages, it keeps only what was added by hand", async () => {
    const w = wiki("Lambda");
    const explicit = h.workspace.addPage({ title: "Lambda by hand", blocks: [paragraph("added")] });
    await registerDocuments(
      { store: h.store, syncQueue: h.adapters.syncQueue, clock: h.clock },
      {
        tenantId: TENANT,
        datasetId: "lambda",
        workspaceId: WORKSPACE,
        pageIds: [explicit],
        embeddingModel: "local-hash-v1",
      },
    );
    await follow("lambda", { kind: "workspace" });
    await h.settle();
    const pages = await pagesOf("lambda");
    for (const id of [w.root, w.inToggle, w.child, w.grandchild, w.databaseId, w.outside, explicit]) {
      expect(pages).toContain(id);
    }
    const rows = [...h.workspace.searchable()].filter(
      (item) => (item.json.parent as { type: string }).type === "data_source_id",
    );
    for (const row of rows) expect(pages).not.toContain(row.json.id);

    const result = await follow("lambda", { kind: "pages" });
    expect(result.rechecked).toBeGreaterThan(0);
    await h.settle();
    expect(await pagesOf("lambda")).toEqual([explicit]);
    expect((await h.store.getBinding(TENANT, WORKSPACE))?.followers).not.toContain("lambda");
  });
});

describe("subtree scope", () => {
  it("backfills everything under the root at any depth (a page in a toggle too), and nothing else", async () => {
    const w = wiki("Alpha");
    const result = await follow("alpha", { kind: "subtree", roots: [w.root] });
    expect(result.count).toMatchObject({ inScope: 5, registered: 0, toAdd: 5, unresolved: 0 });
    await h.settle();

    const documents = await documentsOf("alpha");
    expect(sorted(documents.map((d) => d.dataSourceInfo.pageId))).toEqual(
      sorted([w.root, w.inToggle, w.child, w.grandchild, w.databaseId]),
    );
    expect(documents.every((d) => d.registeredBy === "scope" && d.indexingStatus === "completed")).toBe(true);
    // Rows are their database's content, never documents; the page outside is not indexed.
    expect(await h.pinecone.ids(`${TENANT}.alpha`)).not.toHaveLength(0);
    const texts = (await Promise.all(documents.map((d) => h.store.listSegments(d.documentId))))
      .flat()
      .map((segment) => segment.content)
      .join("\n");
    expect(texts).toContain("Alpha row one");
    expect(texts).not.toContain("not in the wiki");
    const scope = (await h.store.getDataset(TENANT, "alpha"))?.scope;
    expect(scope?.backfillPending).toBeUndefined();
    expect(scope?.documents).toBe(5);
    expect((await h.store.getBinding(TENANT, WORKSPACE))?.followers).toContain("alpha");
  });

  it("indexes a page created under a followed root on the next sweep", async () => {
    const w = wiki("Beta");
    await follow("beta", { kind: "subtree", roots: [w.root] });
    await h.settle();
    const added = h.workspace.addPage({
      title: "Beta deep new",
      parentPageId: w.grandchild,
      blocks: [paragraph("written after the backfill")],
    });

    const result = await sweep();

    expect(result.followed?.registered).toBe(1);
    const document = (await documentsOf("beta")).find((d) => d.dataSourceInfo.pageId === added);
    expect(document).toMatchObject({ registeredBy: "scope", indexingStatus: "completed" });
  });

  it("registers a page created under a followed root from its webhook event, within the debounce", async () => {
    const w = wiki("Gamma");
    await follow("gamma", { kind: "subtree", roots: [w.root] });
    await h.settle();
    changes.length = 0;
    const added = h.workspace.addPage({
      title: "Gamma by webhook",
      parentPageId: w.child,
      blocks: [paragraph("hook")],
    });
    const outside = h.workspace.addPage({ title: "Gamma outside", blocks: [paragraph("outside")] });

    const replies = await deliverChanges(["page.created"]);

    expect(replies.map((reply) => reply.body.discovered ?? 0)).toEqual([1, 0]);
    // The debounced sync (0 s in this test) indexes it: no sweep involved.
    await h.settle();
    const pages = await pagesOf("gamma");
    expect(pages).toContain(added);
    expect(pages).not.toContain(outside);
    const document = (await documentsOf("gamma")).find((d) => d.dataSourceInfo.pageId === added);
    expect(document?.indexingStatus).toBe("completed");
  });

  it("registers nothing from a webhook event past the tenant's documents quota; the sweep does once it is raised", async () => {
    const w = wiki("Quota hook");
    await follow("quota-hook", { kind: "subtree", roots: [w.root] });
    await h.settle();
    changes.length = 0;
    const held = await h.store.countDocuments({ tenantId: TENANT });
    await h.store.saveTenant({
      tenantId: TENANT,
      quotas: { maxDocuments: held },
      updatedAt: h.clock.now().toISOString(),
    });
    try {
      const added = h.workspace.addPage({
        title: "Quota hook late",
        parentPageId: w.child,
        blocks: [paragraph("late")],
      });
      const replies = await deliverChanges(["page.created"]);
      expect(replies.map((reply) => reply.body.discovered ?? 0)).toEqual([0]);
      expect(await pagesOf("quota-hook")).not.toContain(added);
      expect(
        h.logs
          .map((line) => line.message)
          .some((line) =>
            line.includes(
              `${added} not registered in dataset quota-hook: tenant acme holds ${held} documents and its quota is ${held}`,
            ),
          ),
      ).toBe(true);

      await h.store.saveTenant({ tenantId: TENANT, quotas: {}, updatedAt: h.clock.now().toISOString() });
      await sweep();
      expect(await pagesOf("quota-hook")).toContain(added);
    } finally {
      await h.store.saveTenant({ tenantId: TENANT, quotas: {}, updatedAt: h.clock.now().toISOString() });
    }
  });

  it("removes a page moved out of the subtree (with what is below it), and takes it back when moved in", async () => {
    const w = wiki("Delta");
    await follow("delta", { kind: "subtree", roots: [w.root] });
    await h.settle();
    const namespace = `${TENANT}.delta`;
    const vectorsOf = async (pageId: string) => {
      const document = (await documentsOf("delta")).find((d) => d.dataSourceInfo.pageId === pageId);
      const ids = await h.pinecone.ids(namespace);
      return document === undefined ? 0 : ids.filter((id) => id.startsWith(document.documentId)).length;
    };
    expect(await vectorsOf(w.grandchild)).toBeGreaterThan(0);

    h.workspace.movePage(w.child, undefined);
    await sweep();

    expect(sorted(await pagesOf("delta"))).toEqual(sorted([w.root, w.inToggle]));
    expect(await vectorsOf(w.grandchild)).toBe(0);
    const left = (await h.pinecone.ids(namespace)).length;

    h.workspace.movePage(w.child, w.root);
    await sweep();

    expect(sorted(await pagesOf("delta"))).toEqual(
      sorted([w.root, w.inToggle, w.child, w.grandchild, w.databaseId]),
    );
    expect((await h.pinecone.ids(namespace)).length).toBeGreaterThan(left);
  });

  it("follows a move from an incremental listing: what is below the moved page moves with it, unlisted", async () => {
    const incremental = createSyncRecordHandler(h.syncPorts, {
      leaseSeconds: LEASE_SECONDS,
      fullListingMaxObjects: 0,
      fullListingEveryMs: 24 * 3600_000,
    });
    const sweepIncrementally = async () => {
      h.clock.advance(61_000);
      const result = await incremental(h.record(JSON.stringify({ type: "sweep", tenantId: TENANT })));
      await h.settle();
      return result as SweepResult;
    };
    const w = wiki("Omicron");
    await follow("omicron", { kind: "subtree", roots: [w.root] });
    await h.settle();
    // Past the watermark's margin: the wiki's pages are older than what an incremental listing reads.
    h.clock.advance(10 * 60_000);
    await sweepIncrementally();
    h.clock.advance(10 * 60_000);

    h.workspace.movePage(w.child, undefined);
    const out = await sweepIncrementally();

    expect(out.listing).toBe("incremental");
    expect(out.listed).toBeLessThan(4);
    expect(sorted(await pagesOf("omicron"))).toEqual(sorted([w.root, w.inToggle]));

    h.clock.advance(10 * 60_000);
    h.workspace.movePage(w.child, w.root);
    const back = await sweepIncrementally();
    expect(back.listing).toBe("incremental");
    expect(sorted(await pagesOf("omicron"))).toEqual(
      sorted([w.root, w.inToggle, w.child, w.grandchild, w.databaseId]),
    );
  });

  it("a page.moved event takes the moved page out at once; the sweep takes what was below it", async () => {
    const w = wiki("Epsilon");
    await follow("epsilon", { kind: "subtree", roots: [w.root] });
    await h.settle();
    changes.length = 0;

    h.workspace.movePage(w.child, undefined);
    await deliverChanges(["page.moved"]);
    await h.settle();

    const pages = await pagesOf("epsilon");
    expect(pages).not.toContain(w.child);
    await sweep();
    expect(sorted(await pagesOf("epsilon"))).toEqual(sorted([w.root, w.inToggle]));
  });

  it("removes what is unshared (the page and, as in Notion, what is below it) and its vectors", async () => {
    const w = wiki("Zeta");
    await follow("zeta", { kind: "subtree", roots: [w.root] });
    await h.settle();
    const before = (await h.pinecone.ids(`${TENANT}.zeta`)).length;

    h.workspace.unsharePage(w.child);
    await sweep();

    expect(sorted(await pagesOf("zeta"))).toEqual(sorted([w.root, w.inToggle]));
    expect((await h.pinecone.ids(`${TENANT}.zeta`)).length).toBeLessThan(before);
    const logs = h.logs.filter((line) => line.message.startsWith("document left its dataset's scope"));
    expect(logs.length).toBeGreaterThan(0);

    h.workspace.sharePage(w.child);
    await sweep();
    expect(await pagesOf("zeta")).toContain(w.grandchild);
  });

  it("a deleted page leaves; a page put in the trash is archived with its content removed, and comes back when restored", async () => {
    const w = wiki("Eta");
    await follow("eta", { kind: "subtree", roots: [w.root] });
    await h.settle();

    h.workspace.trashPage(w.grandchild);
    h.workspace.deletePage(w.inToggle);
    await sweep();

    const documents = await documentsOf("eta");
    expect(documents.map((d) => d.dataSourceInfo.pageId)).not.toContain(w.inToggle);
    const trashed = documents.find((d) => d.dataSourceInfo.pageId === w.grandchild);
    expect(trashed?.indexingStatus).toBe("archived");
    expect((await h.store.listSegments(trashed?.documentId as string)).length).toBe(0);

    h.workspace.restorePage(w.grandchild);
    await sweep();
    const restored = (await documentsOf("eta")).find((d) => d.dataSourceInfo.pageId === w.grandchild);
    expect(restored?.indexingStatus).toBe("completed");
  });
});

describe("limits and safety", () => {
  it("refuses a scope over the maximum with a clear error and changes nothing; a dry run only counts", async () => {
    const w = wiki("Theta");
    await h.store.ensureDataset(defaultDataset(TENANT, "theta", "local-hash-v1", h.clock.now()));
    const request = {
      tenantId: TENANT,
      datasetId: "theta",
      workspaceId: WORKSPACE,
      kind: "subtree",
      roots: [w.root],
      maxDocuments: 3,
    };
    await expect(setDatasetScope(ports(), request)).rejects.toThrow(
      "dataset theta would hold 5 documents (5 to add), more than its maximum of 3: narrow the scope, or raise it with --max-documents; nothing was changed",
    );
    await expect(setDatasetScope(ports(), request)).rejects.toBeInstanceOf(PermanentError);

    const dry = await setDatasetScope(ports(), { ...request, maxDocuments: 10, dryRun: true });
    expect(dry).toMatchObject({ saved: false, count: { toAdd: 5 }, wouldHold: 5 });
    expect((await h.store.getDataset(TENANT, "theta"))?.scope).toBeUndefined();
    expect(await h.receiveAll(h.queues.syncQueue.queueUrl)).toEqual([]);
  });

  it("stops registering at the maximum when the scope grows past it, and says so", async () => {
    const w = wiki("Iota");
    await follow("iota", { kind: "subtree", roots: [w.root], maxDocuments: 6 });
    await h.settle();
    for (const n of [1, 2, 3]) {
      h.workspace.addPage({
        title: `Iota extra ${n}`,
        parentPageId: w.root,
        blocks: [paragraph(`extra ${n}`)],
      });
    }

    const result = await sweep();

    expect(result.followed?.registered).toBe(1);
    expect(await documentsOf("iota")).toHaveLength(6);
    const scope = (await h.store.getDataset(TENANT, "iota"))?.scope;
    expect(scope?.overLimit?.wanted).toBe(8);
    const warning = h.logs.find((line) =>
      line.message.startsWith("dataset iota: its scope holds 8 documents"),
    );
    expect(warning?.level).toBe("warn");
    // A webhook event for another new page registers nothing either.
    changes.length = 0;
    h.workspace.addPage({ title: "Iota by webhook", parentPageId: w.root });
    const [reply] = await deliverChanges(["page.created"]);
    expect(reply?.body.discovered ?? 0).toBe(0);
  });

  it("two datasets with overlapping subtrees each hold their own documents", async () => {
    const w = wiki("Kappa");
    await follow("kappa-all", { kind: "subtree", roots: [w.root] });
    await follow("kappa-child", { kind: "subtree", roots: [w.child] });
    await h.settle();
    expect(sorted(await pagesOf("kappa-child"))).toEqual(sorted([w.child, w.grandchild, w.databaseId]));

    const added = h.workspace.addPage({ title: "Kappa shared", parentPageId: w.grandchild });
    await sweep();
    expect(await pagesOf("kappa-all")).toContain(added);
    expect(await pagesOf("kappa-child")).toContain(added);

    // Moved under the root directly: out of the child's subtree, still in the root's.
    h.workspace.movePage(added, w.root);
    await sweep();
    expect(await pagesOf("kappa-all")).toContain(added);
    expect(await pagesOf("kappa-child")).not.toContain(added);
  });

  it("a paused dataset registers and syncs nothing until resumed", async () => {
    const w = wiki("Mu");
    await follow("mu", { kind: "subtree", roots: [w.root] });
    await h.settle();
    await pauseDataset(h.store, TENANT, "mu");
    const added = h.workspace.addPage({ title: "Mu while paused", parentPageId: w.root });
    await sweep();
    expect(await pagesOf("mu")).not.toContain(added);

    const { queued } = await resumeDataset(h.adapters, TENANT, "mu");
    expect(queued).toBe(0);
    await h.settle();
    const document = (await documentsOf("mu")).find((d) => d.dataSourceInfo.pageId === added);
    expect(document?.indexingStatus).toBe("completed");
  });
});

describe("the command line", () => {
  const connection = (datasetId: string) => harnessConnection(h, datasetId);

  it("dataset set --scope --dry-run counts, says it would be refused over the maximum, and changes nothing", async () => {
    const w = wiki("Xi");
    await h.store.ensureDataset(defaultDataset(TENANT, "xi", "local-hash-v1", h.clock.now()));
    const output = await printedBy(() =>
      datasetSetCommand(connection("xi"), "xi", {
        scope: "subtree",
        root: [w.root],
        maxDocuments: 3,
        dryRun: true,
      }),
    );
    expect(output).toContain("dataset xi would follow (dry run: nothing was changed) subtree");
    expect(output).toContain("5 pages and databases in scope: 0 already documents, 5 would be added");
    expect(output).toContain(
      "that is 5 documents, more than the maximum of 3: without --dry-run it would be refused",
    );
    expect((await h.store.getDataset(TENANT, "xi"))?.scope).toBeUndefined();
  });

  it("add --follow --wait backfills with progress lines when piped, and status --dataset counts by status", async () => {
    const w = wiki("Nu");
    const output = await printedBy(async () => {
      let done = false;
      const command = followCommand(connection("nu"), [w.root], { wait: true, timeout: 60 }).finally(() => {
        done = true;
      });
      while (!done) {
        await h.settle();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await command;
      await statusCommand(connection("nu"), { dataset: "nu" });
    });
    expect(output).toContain("dataset nu now follows subtree: everything under");
    expect(output).toContain(
      "5 pages and databases in scope: 0 already documents, 5 to be added by the backfill",
    );
    expect(output).toMatch(/\[#+-*\] \d+\/\d+ documents indexed/);
    expect(output).toContain("5 document(s) of nu settled");
    expect(output).toContain("5 documents (5 found by the scope): completed 5");
  });
});
