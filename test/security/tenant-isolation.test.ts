/**
 * Tenant isolation (issue 7): the queues, the table and the Pinecone index are shared by every tenant
 * of a stack, so each path that could cross tenants is checked with the real adapters on the stand-ins:
 * - a message reaches only its own tenant's Notion binding and vector namespace;
 * - a forged message naming another tenant's (or another dataset's) document is refused: dead-lettered
 *   with a reason, nothing read from Notion, nothing written;
 * - queries are scoped to the caller's tenant and dataset.
 */

import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { queryCommand } from "../../lib/cli/commands/query.js";
import type { SecretStore } from "../../lib/core/ports.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { PermanentError } from "../../lib/shared/errors.js";
import { paragraph } from "../../local/notion-blocks.js";
import { harnessConnection } from "../support/cli-in-process.js";
import {
  countCalls,
  DATASET,
  type Harness,
  STORE_WRITES,
  startHarness,
  TENANT,
  TEST_TOKEN,
  TEST_TOKEN_REF,
  WORKSPACE,
} from "../support/harness.js";

const OTHER_TENANT = "globex";
const OTHER_DATASET = "globex-wiki";
const OTHER_WORKSPACE = "ws-globex";
/** Words both tenants' pages contain, so a query that leaked across tenants would find the other's page. */
const SHARED_TOPIC = "quarterly travel reimbursement policy for contractors";

let h: Harness;
let OTHER_TOKEN_REF: string;
const OWN_TOKEN_REF = TEST_TOKEN_REF;
let ownDocument: string;
let otherDocument: string;
/** Secret references read through the secret store, in order. */
const secretReads: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  // The other tenant's integration: its own binding and token secret. The Notion stand-in accepts one
  // token, so the second binding's secret holds the same value; which *reference* is read is what counts.
  OTHER_TOKEN_REF = h.secretsManager.put("test/notion/globex/ws-globex", TEST_TOKEN);
  await h.store.putBinding({
    tenantId: OTHER_TENANT,
    provider: "notion",
    workspaceId: OTHER_WORKSPACE,
    tokenRef: OTHER_TOKEN_REF,
    disabled: false,
  });
  const recordingSecrets: SecretStore = {
    async getSecret(reference) {
      secretReads.push(reference);
      return h.adapters.secrets.getSecret(reference);
    },
  };
  h.syncPorts.secrets = recordingSecrets;
  h.indexPorts.secrets = recordingSecrets;

  const ownPage = h.workspace.addPage({ title: "Acme travel", blocks: [paragraph(`Acme ${SHARED_TOPIC}.`)] });
  const otherPage = h.workspace.addPage({
    title: "Globex travel",
    blocks: [paragraph(`Globex ${SHARED_TOPIC}.`)],
  });
  h.clock.advance(61_000);
  [ownDocument] = (await h.register(ownPage)) as [string];
  [otherDocument] = (await registerFor(OTHER_TENANT, OTHER_DATASET, OTHER_WORKSPACE, otherPage)) as [string];
});

afterAll(async () => {
  delete process.env.GLOBEX_NOTION_TOKEN;
  await h?.close();
});

async function registerFor(tenantId: string, datasetId: string, workspaceId: string, pageId: string) {
  const registered = await registerDocuments(
    { store: h.store, syncQueue: h.adapters.syncQueue, clock: h.clock },
    { tenantId, datasetId, workspaceId, pageIds: [pageId], embeddingModel: "local-hash-v1" },
  );
  await h.receiveAll(h.queues.syncQueue.queueUrl);
  return registered.map((document) => document.documentId);
}

async function syncAndIndex(tenantId: string, datasetId: string, documentId: string) {
  const sync = await h.syncHandler(h.record(JSON.stringify({ tenantId, datasetId, documentId })));
  const indexed = await h.drainIndexQueue();
  return { sync, indexed };
}

async function deadLettered(queueUrl: string) {
  const messages = await h.receiveAll(queueUrl);
  return messages.map((message) => ({
    body: message.Body,
    reason: message.MessageAttributes?.reason?.StringValue ?? "",
  }));
}

async function visibleMessages(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await h.adapters.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesDelayed)
  );
}

describe("a message reaches only its own tenant's binding and namespace", () => {
  it("indexes each tenant's document with that tenant's token, into that tenant's namespace only", async () => {
    secretReads.length = 0;
    const own = await syncAndIndex(TENANT, DATASET, ownDocument);
    expect(own.indexed[0]).toMatchObject({ outcome: "completed" });
    expect(new Set(secretReads)).toEqual(new Set([OWN_TOKEN_REF]));
    expect(await h.pinecone.namespaces()).toEqual([`${TENANT}.${DATASET}`]);

    secretReads.length = 0;
    const other = await syncAndIndex(OTHER_TENANT, OTHER_DATASET, otherDocument);
    expect(other.indexed[0]).toMatchObject({ outcome: "completed" });
    expect(new Set(secretReads)).toEqual(new Set([OTHER_TOKEN_REF]));
    const otherNamespace = `${OTHER_TENANT}.${OTHER_DATASET}`;
    expect((await h.pinecone.namespaces()).sort()).toEqual([`${TENANT}.${DATASET}`, otherNamespace].sort());
    // Every vector in a namespace belongs to a document of that namespace's tenant.
    for (const id of await h.pinecone.ids(otherNamespace))
      expect(id.startsWith(`${otherDocument}#`)).toBe(true);
    for (const id of await h.vectorIds()) expect(id.startsWith(`${ownDocument}#`)).toBe(true);
  });

  it("a document of one tenant that names another tenant's workspace finds no binding and reads no token", async () => {
    const pageId = h.workspace.addPage({ title: "Planted", blocks: [paragraph("planted page")] });
    h.clock.advance(61_000);
    // Registered by the other tenant, but pointing at this tenant's workspace.
    const [planted] = (await registerFor(OTHER_TENANT, OTHER_DATASET, WORKSPACE, pageId)) as [string];
    secretReads.length = 0;

    const { sync } = await syncAndIndex(OTHER_TENANT, OTHER_DATASET, planted);

    expect(sync).toMatchObject({ outcome: "error" });
    expect((await h.store.getDocument(planted))?.error).toMatch(
      new RegExp(`binding for tenant ${OTHER_TENANT}, workspace ${WORKSPACE} is missing`),
    );
    expect(secretReads).toEqual([]);
  });
});

describe("a forged message is refused", () => {
  it("a sync message naming another tenant's document is dead-lettered with a reason; nothing is read or written", async () => {
    const before = await h.store.getDocument(ownDocument);
    const notionBefore = h.notion.requestCounts();
    const storeCalls: Record<string, number> = {};
    const { createSyncRecordHandler } = await import("../../lib/sqs-records/sync-record.js");
    const handler = createSyncRecordHandler(
      { ...h.syncPorts, store: countCalls(h.store, storeCalls) },
      { leaseSeconds: 60 },
    );
    const forged = JSON.stringify({ tenantId: OTHER_TENANT, datasetId: DATASET, documentId: ownDocument });

    await expect(handler(h.record(forged))).resolves.toBeUndefined();

    expect(await deadLettered(h.queues.syncDlq.queueUrl)).toEqual([
      {
        body: forged,
        reason: expect.stringContaining(`does not belong to tenant ${OTHER_TENANT}: message refused`),
      },
    ]);
    expect(STORE_WRITES.filter((method) => storeCalls[method])).toEqual([]);
    expect(h.notion.requestCounts()).toEqual(notionBefore);
    expect(await visibleMessages(h.queues.indexQueue.queueUrl)).toBe(0);
    expect(await h.store.getDocument(ownDocument)).toEqual(before);
    // The reason names what the message claimed, not the document's real tenant.
    const line = h.logs.find((entry) => entry.message.startsWith("permanent failure"));
    expect(String(line?.extra.reason)).not.toContain(TENANT);
  });

  it("a sync message naming a dataset the document is not in is refused the same way", async () => {
    const forged = JSON.stringify({ datasetId: OTHER_DATASET, documentId: ownDocument });
    const notionBefore = h.notion.requestCounts();

    await h.syncHandler(h.record(forged));

    expect(await deadLettered(h.queues.syncDlq.queueUrl)).toEqual([
      { body: forged, reason: expect.stringContaining(`does not belong to dataset ${OTHER_DATASET}`) },
    ]);
    expect(h.notion.requestCounts()).toEqual(notionBefore);
  });

  it("an index message naming another tenant's document at its current generation writes no vector", async () => {
    const document = await h.store.getDocument(ownDocument);
    const vectorsBefore = await h.vectorIds();
    const upsertsBefore = h.pinecone.requestCounts()["POST /vectors/upsert"] ?? 0;
    const forged = JSON.stringify({
      tenantId: OTHER_TENANT,
      datasetId: DATASET,
      documentId: ownDocument,
      generation: document?.generation,
    });

    await expect(h.indexHandler(h.record(forged))).resolves.toBeUndefined();

    expect(await deadLettered(h.queues.indexDlq.queueUrl)).toEqual([
      { body: forged, reason: expect.stringContaining("message refused") },
    ]);
    expect(h.pinecone.requestCounts()["POST /vectors/upsert"] ?? 0).toBe(upsertsBefore);
    expect(await h.vectorIds()).toEqual(vectorsBefore);
    expect(await h.store.getDocument(ownDocument)).toEqual(document);
  });

  it("a message that names no tenant still acts only within the document's own tenant", async () => {
    h.workspace.appendParagraph(
      (await h.store.getDocument(otherDocument))?.dataSourceInfo.pageId ?? "",
      "Globex addendum.",
    );
    h.clock.advance(61_000);
    secretReads.length = 0;

    await h.syncHandler(h.record(JSON.stringify({ datasetId: OTHER_DATASET, documentId: otherDocument })));
    await h.drainIndexQueue();

    expect(new Set(secretReads)).toEqual(new Set([OTHER_TOKEN_REF]));
    for (const id of await h.vectorIds()) expect(id.startsWith(`${ownDocument}#`)).toBe(true);
  });
});

describe("queries are scoped to the caller's tenant and dataset", () => {
  const connection = (tenantId: string, datasetId: string) => harnessConnection(h, datasetId, tenantId);

  async function query(tenantId: string, datasetId: string) {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      await queryCommand(connection(tenantId, datasetId), SHARED_TOPIC, { json: true, topK: 10 });
      const printed = write.mock.calls.map(([chunk]) => String(chunk)).join("");
      return (JSON.parse(printed) as { matches: { documentId: string }[] }).matches;
    } finally {
      write.mockRestore();
    }
  }

  it("each tenant's query finds only its own documents, though both hold the same words", async () => {
    const own = await query(TENANT, DATASET);
    const other = await query(OTHER_TENANT, OTHER_DATASET);
    expect(own.length).toBeGreaterThan(0);
    expect(other.length).toBeGreaterThan(0);
    expect(new Set(own.map((match) => match.documentId))).toEqual(new Set([ownDocument]));
    expect(new Set(other.map((match) => match.documentId))).toEqual(new Set([otherDocument]));
  });

  it("a tenant querying another tenant's dataset is refused", async () => {
    await expect(query(OTHER_TENANT, DATASET)).rejects.toThrow(PermanentError);
    // Another tenant's dataset reads as missing: nothing says it exists.
    await expect(query(OTHER_TENANT, DATASET)).rejects.toThrow(`no dataset ${DATASET} for this tenant`);
  });
});
