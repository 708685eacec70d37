/**
 * Dataset settings end to end, with the real adapters against the stand-ins: the hierarchical doc form
 * (children embedded, parents returned as context), a rule change re-indexing unchanged Notion content
 * (also when it lands while a run is splitting), the `dataset` CLI command (scopes: test/integration/scopes.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countTokens } from "../../lib/chunking/tokenizer.js";
import { datasetCreateCommand, datasetSetCommand, settingsFrom } from "../../lib/cli/commands/dataset.js";
import { queryCommand } from "../../lib/cli/commands/query.js";
import { changeDatasetSettings, createDataset, type DatasetSettings } from "../../lib/core/datasets.js";
import { AUTOMATIC_RULE, type Segment } from "../../lib/core/model.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { PermanentError } from "../../lib/shared/errors.js";
import { heading1, heading2, paragraph } from "../../local/notion-blocks.js";
import { harnessConnection, printedBy } from "../support/cli-in-process.js";
import { type Harness, startHarness, TENANT, WORKSPACE } from "../support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const connection = (datasetId: string) => harnessConnection(h, datasetId);
const printed = printedBy;

function guide(topic: string) {
  return [
    heading1(`${topic} guide`),
    ...Array.from({ length: 6 }, (_, section) => [
      heading2(`${topic} section ${section}`),
      ...Array.from({ length: 3 }, (_, i) =>
        paragraph(
          `${topic} ${section}.${i}: the index keeps every vector in step with its Notion page, and a sync after an edit replaces the chunks of that page only. `.repeat(
            2,
          ),
        ),
      ),
    ]).flat(),
  ];
}

async function newDocument(datasetId: string, title: string) {
  const pageId = h.workspace.addPage({ title, blocks: guide(title) });
  h.clock.advance(61_000);
  const [registered] = await registerDocuments(
    { store: h.store, syncQueue: h.adapters.syncQueue, clock: h.clock },
    {
      tenantId: TENANT,
      datasetId,
      workspaceId: WORKSPACE,
      pageIds: [pageId],
      embeddingModel: "local-hash-v1",
    },
  );
  await h.receiveAll(h.queues.syncQueue.queueUrl);
  return registered?.documentId as string;
}

async function syncAndIndex(datasetId: string, documentId: string) {
  const sync = await h.sync(documentId, datasetId);
  const indexed = await h.drainIndexQueue();
  return { sync, indexed };
}

async function currentSegments(documentId: string): Promise<Segment[]> {
  const document = await h.store.getDocument(documentId);
  return (await h.store.listSegments(documentId, { generation: document?.generation })).sort(
    (a, b) => a.position - b.position,
  );
}

async function vectorIdsOf(documentId: string, namespace: string) {
  return (await h.pinecone.ids(namespace)).filter((id) => id.startsWith(`${documentId}#`)).sort();
}

describe("the hierarchical doc form", () => {
  const datasetId = "hierarchical";
  const settings: DatasetSettings = {
    processRule: { ...AUTOMATIC_RULE, maxTokens: 300, childMaxTokens: 80, overlap: 10, mode: "custom" },
    docForm: "hierarchical",
  };
  let documentId: string;

  beforeAll(async () => {
    await createDataset(h.store, {
      tenantId: TENANT,
      datasetId,
      embeddingModel: "local-hash-v1",
      settings,
      now: new Date(),
    });
    documentId = await newDocument(datasetId, "Hierarchy");
    const { indexed } = await syncAndIndex(datasetId, documentId);
    expect(indexed.map((result) => result.outcome)).toEqual(["completed"]);
  });

  it("embeds only children: segments are the children, id for id with the vectors", async () => {
    const segments = await currentSegments(documentId);
    expect(segments.map((segment) => segment.indexNodeId).sort()).toEqual(
      await vectorIdsOf(documentId, `${TENANT}.${datasetId}`),
    );
    for (const segment of segments) expect(countTokens(segment.content)).toBeLessThanOrEqual(80);
    expect(new Set(segments.map((segment) => segment.parentIndex)).size).toBeGreaterThan(2);
  });

  it("stores each parent once, with its first child, and every child lies within its parent", async () => {
    const segments = await currentSegments(documentId);
    const parents = new Map<number, string>();
    for (const segment of segments) {
      const index = segment.parentIndex as number;
      if (segment.parentContent !== undefined) {
        expect(parents.has(index)).toBe(false);
        expect(segment.parentTokens).toBe(countTokens(segment.parentContent));
        expect(segment.parentTokens).toBeLessThanOrEqual(300);
        parents.set(index, segment.parentContent);
      }
      expect(parents.get(index)).toContain(segment.content);
    }
  });

  it("returns a match's parent text with `query --json`, keeping the other fields", async () => {
    const output = await printed(() =>
      queryCommand(connection(datasetId), "a sync after an edit replaces the chunks", {
        json: true,
        topK: 3,
      }),
    );
    const { matches } = JSON.parse(output) as { matches: Record<string, unknown>[] };
    expect(matches).toHaveLength(3);
    for (const match of matches) {
      expect(Object.keys(match)).toEqual(
        expect.arrayContaining(["documentId", "id", "score", "content", "sourceUrl", "parentContent"]),
      );
      expect(match.parentContent).toContain(match.content);
    }
  });
});

describe("changing a dataset's rule", () => {
  const datasetId = "rules";

  it("re-indexes documents whose Notion content did not change, once", async () => {
    const documentId = await newDocument(datasetId, "Rules");
    await syncAndIndex(datasetId, documentId);
    expect((await syncAndIndex(datasetId, documentId)).sync).toMatchObject({ outcome: "unchanged" });
    const before = await currentSegments(documentId);

    const settings = {
      processRule: { ...AUTOMATIC_RULE, mode: "custom" as const, maxTokens: 120, overlap: 0 },
      docForm: "text" as const,
    };
    const changed = await changeDatasetSettings(
      { store: h.store, syncQueue: h.adapters.syncQueue },
      { tenantId: TENANT, datasetId, settings },
    );
    expect(changed).toMatchObject({ changed: true, reindex: { documents: 1, queued: 1 } });
    const queued = await h.receiveAll(h.queues.syncQueue.queueUrl);
    expect(queued.map((message) => JSON.parse(message.Body ?? "{}"))).toEqual([
      { tenantId: TENANT, datasetId, documentId },
    ]);

    const rerun = await syncAndIndex(datasetId, documentId);
    expect(rerun.sync).toMatchObject({ outcome: "queued" });
    expect(rerun.indexed.map((result) => result.outcome)).toEqual(["completed"]);
    const after = await currentSegments(documentId);
    expect(after.length).toBeGreaterThan(before.length);
    for (const segment of after) expect(segment.tokens).toBeLessThanOrEqual(120);
    expect((await syncAndIndex(datasetId, documentId)).sync).toMatchObject({ outcome: "unchanged" });

    const same = await changeDatasetSettings(
      { store: h.store, syncQueue: h.adapters.syncQueue },
      { tenantId: TENANT, datasetId, settings },
    );
    expect(same).toMatchObject({ changed: false, reindex: { queued: 0 } });
  });

  it("catches a rule change that lands while a run is splitting with the old rule", async () => {
    const documentId = await newDocument(datasetId, "Racing");
    expect(await h.sync(documentId, datasetId)).toMatchObject({ outcome: "queued" });
    const settings = {
      processRule: { ...AUTOMATIC_RULE, mode: "custom" as const, maxTokens: 90, overlap: 0 },
      docForm: "text" as const,
    };
    const store = new Proxy(h.store, {
      get(target, property, receiver) {
        if (property !== "putSegments") return Reflect.get(target, property, receiver);
        return async (segments: Segment[]) => {
          await target.putSegments(segments);
          // The rule changes after this run read it, and marks the document before the run completes.
          await changeDatasetSettings(
            { store: target, syncQueue: h.adapters.syncQueue },
            { tenantId: TENANT, datasetId, settings },
          );
        };
      },
    });
    const { createIndexRecordHandler } = await import("../../lib/sqs-records/index-record.js");
    const handler = createIndexRecordHandler({ ...h.indexPorts, store }, { leaseSeconds: 60 });
    for (const message of await h.receiveAll(h.queues.indexQueue.queueUrl)) {
      expect(await handler(h.record(message.Body ?? ""))).toMatchObject({ outcome: "completed" });
    }
    expect((await h.store.getDocument(documentId))?.dataSourceInfo.lastEditedTime).toBeUndefined();
    await h.receiveAll(h.queues.syncQueue.queueUrl);

    expect((await syncAndIndex(datasetId, documentId)).sync).toMatchObject({ outcome: "queued" });
    for (const segment of await currentSegments(documentId)) expect(segment.tokens).toBeLessThanOrEqual(90);
  });
});

describe("the dataset command", () => {
  it("creates a dataset and changes its settings, printing JSON", async () => {
    const created = JSON.parse(
      await printed(() =>
        datasetCreateCommand(connection("cli"), "cli", {
          rule: "custom",
          maxTokens: 400,
          overlap: 40,
          separator: "\\n\\n",
          json: true,
        }),
      ),
    );
    expect(created.dataset).toMatchObject({
      datasetId: "cli",
      tenantId: TENANT,
      docForm: "text",
      processRule: { mode: "custom", maxTokens: 400, overlap: 40, separator: "\n\n" },
    });
    const set = JSON.parse(
      await printed(() =>
        datasetSetCommand(connection("cli"), "cli", {
          docForm: "hierarchical",
          parentMode: "document",
          json: true,
        }),
      ),
    );
    expect(set).toMatchObject({
      changed: true,
      dataset: {
        docForm: "hierarchical",
        processRule: { mode: "custom", maxTokens: 400, parentMode: "document" },
      },
      reindex: { documents: 0, queued: 0 },
    });
    await expect(datasetCreateCommand(connection("cli"), "cli", {})).rejects.toThrow(/already exists/);
  });

  it("refuses settings that cannot work, saying why", async () => {
    const base = { processRule: AUTOMATIC_RULE, docForm: "text" as const };
    expect(() => settingsFrom({ maxTokens: 300 }, base)).toThrow(/need --rule custom/);
    expect(() => settingsFrom({ rule: "smart" }, base)).toThrow(PermanentError);
    expect(() => settingsFrom({ docForm: "pdf" }, base)).toThrow(/--doc-form must be text or hierarchical/);
    await expect(
      datasetCreateCommand(connection("bad"), "bad", { rule: "custom", maxTokens: 100, overlap: 60 }),
    ).rejects.toThrow("invalid process rule: overlap must be less than half of maxTokens (100), got 60");
    await expect(
      datasetCreateCommand(connection("bad"), "bad", { docForm: "hierarchical", childMaxTokens: 600 }),
    ).rejects.toThrow("invalid process rule: childMaxTokens (600) must not exceed the parent size (500)");
  });
});
