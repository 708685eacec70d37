/**
 * Per-tenant quotas (docs/tenants.md) on the real clients and stand-ins: `tenant set` and `tenant
 * show`; documents past the quota are refused by `add` (nothing registered) and left unregistered by
 * a scope's sweep with the dataset's status saying why and a metric, then registered once the quota
 * is raised; an index run past the day's embedding tokens stops with the reason in the document's
 * status and a metric, its old content still served, and goes on the next day; the Notion budget
 * share narrows the rate the binding's client is opened with.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusCommand } from "../../lib/cli/commands/status.js";
import { tenantSetCommand, tenantShowCommand } from "../../lib/cli/commands/tenant.js";
import { defaultDataset } from "../../lib/core/datasets.js";
import { openNotionForBinding } from "../../lib/core/notion-access.js";
import type { MetricsSink, NotionAccess, NotionConnector } from "../../lib/core/ports.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { shareOf } from "../../lib/rate-limit/gcra.js";
import { setDatasetScope } from "../../lib/scopes/set-scope.js";
import { QuotaExceededError } from "../../lib/shared/errors.js";
import type { MetricKey, MetricLabels } from "../../lib/shared/metrics.js";
import { createIndexRecordHandler } from "../../lib/sqs-records/index-record.js";
import { createSyncRecordHandler } from "../../lib/sqs-records/sync-record.js";
import { paragraph } from "../../local/notion-blocks.js";
import { harnessConnection, printedBy } from "../support/cli-in-process.js";
import { type Harness, LEASE_SECONDS, startHarness, TENANT, WORKSPACE } from "../support/harness.js";

let h: Harness;
const recorded: { metric: MetricKey; value: number; labels?: MetricLabels }[] = [];
const metrics: MetricsSink = {
  record: (metric, value, labels) => void recorded.push({ metric, value, labels }),
};
let syncHandler: ReturnType<typeof createSyncRecordHandler>;
let indexHandler: ReturnType<typeof createIndexRecordHandler>;

beforeAll(async () => {
  h = await startHarness();
  syncHandler = createSyncRecordHandler({ ...h.syncPorts, metrics }, { leaseSeconds: LEASE_SECONDS });
  indexHandler = createIndexRecordHandler({ ...h.indexPorts, metrics }, { leaseSeconds: LEASE_SECONDS });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** Both queues until idle, through the handlers that record metrics. */
async function settle(): Promise<void> {
  for (;;) {
    const synced = await h.receiveAll(h.queues.syncQueue.queueUrl);
    for (const message of synced) await syncHandler(h.record(message.Body ?? ""));
    const indexed = await h.receiveAll(h.queues.indexQueue.queueUrl);
    for (const message of indexed) await indexHandler(h.record(message.Body ?? ""));
    if (synced.length === 0 && indexed.length === 0) return;
  }
}

const connection = () => harnessConnection(h, "quota-pages");
const register = (datasetId: string, pageIds: string[]) =>
  registerDocuments(
    { store: h.store, syncQueue: h.adapters.syncQueue, clock: h.clock },
    { tenantId: TENANT, datasetId, workspaceId: WORKSPACE, pageIds, embeddingModel: "local-hash-v1" },
  );
const page = (title: string, parentPageId?: string) =>
  h.workspace.addPage({
    title,
    ...(parentPageId ? { parentPageId } : {}),
    blocks: [paragraph(`${title} text`)],
  });
const sum = (metric: MetricKey, reason: string) =>
  recorded
    .filter((entry) => entry.metric === metric && entry.labels?.reason === reason)
    .reduce((total, entry) => total + entry.value, 0);

describe("tenant set and show", () => {
  it("sets, shows and clears quotas, and refuses values that cannot work", async () => {
    const set = await printedBy(() =>
      tenantSetCommand(connection(), TENANT, { maxDocuments: "3", notionBudgetShare: "0.5" }),
    );
    expect(set).toMatch(/tenant acme: at most 3 documents, 50% of each binding's Notion budget/);
    expect((await h.store.getTenant(TENANT))?.quotas).toEqual({ maxDocuments: 3, notionBudgetShare: 0.5 });
    await expect(tenantSetCommand(connection(), TENANT, { notionBudgetShare: "1.5" })).rejects.toThrow(
      /--notion-budget-share must be more than 0 and at most 1/,
    );
    await expect(tenantSetCommand(connection(), TENANT, { maxDocuments: "many" })).rejects.toThrow(
      /--max-documents must be a number or none/,
    );
    await expect(tenantSetCommand(connection(), TENANT, {})).rejects.toThrow(/nothing to set/);
    await printedBy(() => tenantSetCommand(connection(), TENANT, { notionBudgetShare: "none" }));
    expect((await h.store.getTenant(TENANT))?.quotas).toEqual({ maxDocuments: 3 });
    const shown = await printedBy(() => tenantShowCommand(connection(), TENANT, {}));
    expect(shown).toMatch(/documents: 0 of 3/);
  });
});

describe("the documents quota", () => {
  it("refuses an add that would pass it, registering nothing; pages already registered do not count again", async () => {
    const [a, b, c, d] = [page("Quota A"), page("Quota B"), page("Quota C"), page("Quota D")];
    await expect(register("quota-pages", [a, b, c, d])).rejects.toThrow(QuotaExceededError);
    await expect(register("quota-pages", [a, b, c, d])).rejects.toThrow(
      /tenant acme holds 0 documents and its quota is 3: 4 more would exceed it \(raise it with `tenant set acme --max-documents N`/,
    );
    expect(await h.store.countDocuments({ tenantId: TENANT })).toBe(0);
    await register("quota-pages", [a, b]);
    await register("quota-pages", [a, b]);
    await register("quota-pages", [c]);
    expect(await h.store.countDocuments({ tenantId: TENANT })).toBe(3);
    await expect(register("quota-pages", [d])).rejects.toThrow(/holds 3 documents and its quota is 3/);
    await settle();
  });

  it("stops a scope's sweep at the quota with the reason in the dataset's status and a metric, and goes on once it is raised", async () => {
    const root = page("Quota root");
    const children = [page("Quota child 1", root), page("Quota child 2", root)];
    await tenantSetCommand(connection(), TENANT, { maxDocuments: "4" });
    await h.store.ensureDataset(defaultDataset(TENANT, "quota-tree", "local-hash-v1", h.clock.now()));
    await setDatasetScope(
      { ...h.adapters, clock: h.clock },
      { tenantId: TENANT, datasetId: "quota-tree", workspaceId: WORKSPACE, kind: "subtree", roots: [root] },
    );
    await settle();
    // 3 held before, so one of the three pages in scope fits.
    expect(await h.store.countDocuments({ tenantId: TENANT, datasetId: "quota-tree" })).toBe(1);
    const scope = (await h.store.getDataset(TENANT, "quota-tree"))?.scope;
    expect(scope?.overLimit).toMatchObject({ wanted: 3, by: "tenant-quota" });
    expect(sum("quotaExceeded", "documents")).toBe(2);
    const status = await printedBy(() =>
      statusCommand(harnessConnection(h, "quota-tree"), { dataset: "quota-tree", tenant: TENANT }),
    );
    expect(status).toMatch(/over the tenant's quota: .* `tenant set acme --max-documents N`/);
    expect(
      h.logs.some((line) =>
        /were not registered: tenant acme holds 4 documents and its quota is 4/.test(line.message),
      ),
    ).toBe(true);

    await tenantSetCommand(connection(), TENANT, { maxDocuments: "none" });
    h.clock.advance(61_000);
    await syncHandler(h.record(JSON.stringify({ type: "sweep", tenantId: TENANT })));
    await settle();
    const pages = (await h.store.listDocuments({ tenantId: TENANT, datasetId: "quota-tree" })).map(
      (document) => document.dataSourceInfo.pageId,
    );
    expect(pages.sort()).toEqual([root, ...children].sort());
    expect((await h.store.getDataset(TENANT, "quota-tree"))?.scope?.overLimit).toBeUndefined();
  });
});

describe("the embedding tokens quota", () => {
  it("stops index runs once the day's tokens are spent, says why, keeps serving the old content, and goes on the next day", async () => {
    const [first, second] = [page("Tokens first"), page("Tokens second")];
    const [firstId, secondId] = (await register("quota-tokens", [first, second])).map((d) => d.documentId);
    await tenantSetCommand(connection(), TENANT, { embeddingTokensPerDay: "1" });
    // Today's earlier runs (the tests above) spent more than one token: nothing more is embedded.
    await settle();
    const stopped = await h.store.getDocument(secondId ?? "");
    expect(stopped?.indexingStatus).toBe("error");
    expect(stopped?.error).toMatch(
      /tenant acme used \d+ of its 1 embedding tokens for \d{4}-\d{2}-\d{2} \(UTC\): indexing waits for the next day's sweep, or for `tenant set acme --embedding-tokens-per-day N`/,
    );
    expect(sum("quotaExceeded", "embedding-tokens")).toBe(2);
    // Not a fault: the DocumentsInError alarm does not fire for it.
    expect(sum("documentErrors", "quota-exceeded")).toBe(0);

    // The next day (UTC) a run starts under the quota and finishes (past it: a run is not cut in
    // two); the one after it stops again.
    h.clock.advance(24 * 3600 * 1000);
    for (const documentId of [firstId, secondId]) await h.sync(documentId ?? "", "quota-tokens");
    await settle();
    expect((await h.store.getDocument(firstId ?? ""))?.indexingStatus).toBe("completed");
    expect((await h.store.getDocument(secondId ?? ""))?.indexingStatus).toBe("error");
    // A raised quota lets the next sync index it.
    await tenantSetCommand(connection(), TENANT, { embeddingTokensPerDay: "1000000" });
    await h.sync(secondId ?? "", "quota-tokens");
    await settle();
    expect((await h.store.getDocument(secondId ?? ""))?.indexingStatus).toBe("completed");
    await tenantSetCommand(connection(), TENANT, { embeddingTokensPerDay: "1" });

    // Spent again: an edit is not indexed, and the indexed version stays what queries answer.
    const before = await h.store.listSegments(firstId ?? "");
    h.workspace.appendParagraph(first, "an edit past the quota");
    h.clock.advance(120_000);
    await h.sync(firstId ?? "", "quota-tokens");
    await settle();
    const edited = await h.store.getDocument(firstId ?? "");
    expect(edited?.indexingStatus).toBe("error");
    expect(edited?.servingGeneration).toBe(before[0]?.generation);
    expect((await h.store.listSegments(firstId ?? "", { generation: before[0]?.generation })).length).toBe(
      before.length,
    );
    await tenantSetCommand(connection(), TENANT, { embeddingTokensPerDay: "none" });
  });
});

describe("the Notion budget share", () => {
  it("opens the tenant's bindings at their share of the rate", async () => {
    const opened: (NotionAccess | undefined)[] = [];
    const notion: NotionConnector = {
      open(token, access) {
        opened.push(access);
        return h.adapters.notion.open(token, access);
      },
    };
    await tenantSetCommand(connection(), TENANT, { notionBudgetShare: "0.25" });
    await openNotionForBinding({ ...h.adapters, notion }, { tenantId: TENANT, workspaceId: WORKSPACE });
    expect(opened[0]?.share).toBe(0.25);
    expect(shareOf({ requestsPerSecond: 3, burst: 3 }, 0.25)).toEqual({ requestsPerSecond: 0.75, burst: 1 });
    await tenantSetCommand(connection(), TENANT, { notionBudgetShare: "none" });
    await openNotionForBinding({ ...h.adapters, notion }, { tenantId: TENANT, workspaceId: WORKSPACE });
    expect(opened[1]?.share).toBeUndefined();
  });
});
