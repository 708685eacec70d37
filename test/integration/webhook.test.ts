/**
 * The webhook endpoint with the real handler (as the function URL calls it), the real DynamoDB,
 * SQS, Secrets Manager and Notion stand-ins, and the real sync and index handlers behind it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newPathSecret } from "../../lib/webhooks/path-secret.js";
import { signBody } from "../../lib/webhooks/signature.js";
import { webhookPath } from "../../lib/webhooks/webhook-path.js";
import { paragraph } from "../../local/notion-blocks.js";
import { DATASET, TENANT, TEST_TOKEN_REF, WORKSPACE } from "../support/harness.js";
import {
  OTHER_NOTION_WORKSPACE,
  startWebhookHarness,
  WEBHOOK_TOKEN,
  type WebhookHarness,
} from "../support/webhook-harness.js";

let webhook: WebhookHarness;

beforeAll(async () => {
  webhook = await startWebhookHarness();
});
afterAll(async () => {
  await webhook?.close();
});

describe("handshake", () => {
  it("stores the first verification token, logs that it came (not the token), and refuses a second", async () => {
    expect(await webhook.handshake()).toMatchObject({ status: 200 });
    expect(webhook.storedToken()).toBe(WEBHOOK_TOKEN);
    const line = webhook.harness.logs.find((log) => log.message.startsWith("webhook verification token"));
    expect(line?.message).toContain("webhook token --tenant acme --workspace ws-1");
    expect(JSON.stringify(webhook.harness.logs)).not.toContain(WEBHOOK_TOKEN);

    const second = await webhook.handshake("fake-attacker-token-ffffffff");
    expect(second.status).toBe(409);
    expect(webhook.storedToken()).toBe(WEBHOOK_TOKEN);
  });

  it("replaces the token only while a reset armed by the operator is open, once", async () => {
    const binding = await webhook.harness.store.getBinding(TENANT, WORKSPACE);
    const until = new Date(webhook.harness.clock.now().getTime() + 60_000).toISOString();
    await webhook.harness.store.putBinding({
      ...(binding as NonNullable<typeof binding>),
      webhookTokenResetUntil: until,
    });
    expect((await webhook.handshake("fake-new-webhook-token-11111111")).status).toBe(200);
    expect(webhook.storedToken()).toBe("fake-new-webhook-token-11111111");
    // The reset is used up: the next handshake cannot overwrite the new token.
    expect((await webhook.handshake("fake-attacker-token-ffffffff")).status).toBe(409);
    expect(webhook.storedToken()).toBe("fake-new-webhook-token-11111111");
    // Back to the token the other tests sign with.
    await webhook.harness.store.putBinding({
      ...(binding as NonNullable<typeof binding>),
      webhookTokenResetUntil: new Date(webhook.harness.clock.now().getTime() + 60_000).toISOString(),
    });
    expect((await webhook.handshake(WEBHOOK_TOKEN)).status).toBe(200);
  });

  it("answers 404 for a binding that does not exist, and stores nothing for it", async () => {
    const path = webhookPath({ tenantId: "nobody", workspaceId: "nowhere", pathSecret: newPathSecret() });
    expect((await webhook.handshake(WEBHOOK_TOKEN, path)).status).toBe(404);
    expect(webhook.storedToken("nobody", "nowhere")).toBeUndefined();
  });
});

describe("events", () => {
  let pageId: string;
  let documentId: string;
  /** Delayed messages cannot be received: "nothing enqueued" means no more than before the test. */
  let baseline = 0;

  beforeAll(async () => {
    // The tests below need the handshake done (the describe above may run alone with -t).
    if (webhook.storedToken() === undefined) await webhook.handshake();
    pageId = webhook.harness.workspace.addPage({
      title: "Webhook handbook",
      blocks: [paragraph("Deploys happen on Tuesdays after the stand-up.")],
    });
    [documentId = ""] = await webhook.harness.register(pageId);
    await webhook.harness.syncAndIndex(documentId);
  });

  beforeEach(async () => {
    await webhook.harness.receiveAll(webhook.harness.queues.syncQueue.queueUrl);
    baseline = await webhook.syncQueueCount();
  });

  const contentUpdated = () => webhook.event(webhook.pageChange("page.content_updated", pageId));

  it("accepts a signed event and enqueues a unit sync for the registered page", async () => {
    const reply = await webhook.send(contentUpdated());
    expect(reply).toMatchObject({ status: 200, body: { ok: true, documents: 1, enqueued: 1 } });
    const [message, ...more] = await webhook.harness.receiveAll(webhook.harness.queues.syncQueue.queueUrl);
    expect(more).toEqual([]);
    expect(JSON.parse(message?.Body ?? "")).toEqual({ tenantId: TENANT, datasetId: DATASET, documentId });
  });

  it.each([
    ["missing", () => ({})],
    ["wrong", () => ({ "x-notion-signature": `sha256=${"0".repeat(64)}` })],
    [
      "made with another token",
      (body: string) => ({ "x-notion-signature": signBody(body, "fake-other-token-22222222") }),
    ],
    ["truncated", (body: string) => ({ "x-notion-signature": signBody(body, WEBHOOK_TOKEN).slice(0, 20) })],
  ])("refuses a %s signature with 401 and enqueues nothing", async (_name, headers) => {
    const body = JSON.stringify(contentUpdated());
    const reply = await webhook.post(body, headers(body));
    expect(reply.status).toBe(401);
    expect(reply.body.error).toEqual(expect.any(String));
    expect(await webhook.syncQueueCount()).toBe(baseline);
  });

  it("refuses a signed body sent again (a replay) with 401 and enqueues nothing more", async () => {
    const body = JSON.stringify(contentUpdated());
    expect((await webhook.send(body)).status).toBe(200);
    await webhook.harness.receiveAll(webhook.harness.queues.syncQueue.queueUrl);
    const replay = await webhook.send(body);
    expect(replay).toMatchObject({ status: 401, body: { error: expect.stringContaining("replay") } });
    expect(await webhook.syncQueueCount()).toBe(baseline);
  });

  it("acknowledges Notion's retry of an event it handled (a later attempt) without a second sync", async () => {
    const event = contentUpdated();
    expect((await webhook.send(event)).status).toBe(200);
    await webhook.harness.receiveAll(webhook.harness.queues.syncQueue.queueUrl);
    const retry = await webhook.send({ ...event, attempt_number: 2 });
    expect(retry).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await webhook.syncQueueCount()).toBe(baseline);
  });

  it("refuses a validly signed event older than the replay window, or from the future", async () => {
    const now = webhook.harness.clock.now().getTime();
    for (const timestamp of [now - 11 * 60_000, now + 5 * 60_000]) {
      const reply = await webhook.send({ ...contentUpdated(), timestamp: new Date(timestamp).toISOString() });
      expect(reply.status).toBe(401);
    }
    expect(await webhook.syncQueueCount()).toBe(baseline);
  });

  it.each([
    ["not JSON", "{not json", /not valid JSON/],
    ["no entity", () => ({ ...contentUpdated(), entity: undefined }), /entity/],
    ["a bad timestamp", () => ({ ...contentUpdated(), timestamp: "yesterday" }), /timestamp/],
    [
      "a non-Notion id",
      () => ({ ...contentUpdated(), entity: { id: "../../etc", type: "page" } }),
      /entity\.id/,
    ],
  ])(
    "answers 400 with the reason to a signed body with %s, and enqueues nothing",
    async (_name, body, reason) => {
      const reply = await webhook.send(typeof body === "function" ? body() : body);
      expect(reply.status).toBe(400);
      expect(String(reply.body.error)).toMatch(reason);
      expect(String(reply.body.error)).not.toContain("\n");
      expect(await webhook.syncQueueCount()).toBe(baseline);
    },
  );

  it("turns a burst of 20 events for one page into one delayed sync", async () => {
    const debounceSeconds = 30;
    // A page of its own: its pending sync stays delayed on the queue for the rest of the run.
    const burstPage = webhook.harness.workspace.addPage({ title: "Busy page", blocks: [paragraph("v1")] });
    await webhook.harness.register(burstPage);
    const edit = () => webhook.event(webhook.pageChange("page.content_updated", burstPage));
    const before = await webhook.syncQueueCount();
    const replies = [];
    for (let i = 0; i < 20; i++) replies.push(await webhook.send(edit(), { debounceSeconds }));
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    expect(replies.map((reply) => reply.body.enqueued)).toEqual([1, ...Array(19).fill(0)]);
    const depth = await webhook.harness.queueDepth(webhook.harness.queues.syncQueue.queueUrl);
    expect(depth.delayed + depth.visible + depth.inFlight - before).toBe(1);
    expect(depth.delayed).toBeGreaterThanOrEqual(1);

    // Once the window has passed, the next edit gets a sync of its own.
    webhook.harness.clock.advance((debounceSeconds + 1) * 1000);
    expect((await webhook.send(edit(), { debounceSeconds })).body.enqueued).toBe(1);
    expect(await webhook.syncQueueCount()).toBe(before + 2);
  });

  it("ignores events for pages that are not registered", async () => {
    const other = webhook.harness.workspace.addPage({ title: "Not registered", blocks: [paragraph("x")] });
    const reply = await webhook.send(webhook.event(webhook.pageChange("page.content_updated", other)));
    expect(reply).toMatchObject({ status: 200, body: { enqueued: 0, ignored: "no registered document" } });
    expect(await webhook.syncQueueCount()).toBe(baseline);
  });

  it("ignores events of another Notion workspace than the binding's", async () => {
    // The first verified event pinned the binding's Notion workspace.
    const binding = await webhook.harness.store.getBinding(TENANT, WORKSPACE);
    expect(binding?.notionWorkspaceId).toBe(webhook.harness.workspace.workspaceId);
    const reply = await webhook.send({ ...contentUpdated(), workspace_id: OTHER_NOTION_WORKSPACE });
    expect(reply).toMatchObject({ status: 200, body: { ignored: "event of another workspace" } });
    expect(await webhook.syncQueueCount()).toBe(baseline);
  });

  it("applies an event only within its own tenant, though another tenant registered the same page", async () => {
    const { registerDocuments } = await import("../../lib/documents/register.js");
    await webhook.harness.store.putBinding({
      tenantId: "globex",
      provider: "notion",
      workspaceId: WORKSPACE,
      tokenRef: TEST_TOKEN_REF,
      disabled: false,
      webhookPathSecret: "globex-path-secret-globex-path-secret-globe",
    });
    const [theirs] = await registerDocuments(
      {
        store: webhook.harness.store,
        syncQueue: webhook.harness.adapters.syncQueue,
        clock: webhook.harness.clock,
      },
      {
        tenantId: "globex",
        datasetId: "globex-kb",
        workspaceId: WORKSPACE,
        pageIds: [pageId],
        embeddingModel: "local-hash-v1",
      },
    );
    await webhook.harness.receiveAll(webhook.harness.queues.syncQueue.queueUrl);

    expect((await webhook.send(contentUpdated())).body).toMatchObject({ documents: 1, enqueued: 1 });
    const messages = await webhook.harness.receiveAll(webhook.harness.queues.syncQueue.queueUrl);
    expect(messages.map((message) => JSON.parse(message.Body ?? "").documentId)).toEqual([documentId]);
    expect(theirs?.documentId).not.toBe(documentId);
    // Their own URL is signed with their own token, which they do not have yet: refused.
    const body = JSON.stringify(contentUpdated());
    const path = webhookPath({
      tenantId: "globex",
      workspaceId: WORKSPACE,
      pathSecret: "globex-path-secret-globex-path-secret-globe",
    });
    const reply = await webhook.post(body, { "x-notion-signature": signBody(body, WEBHOOK_TOKEN) }, { path });
    expect(reply.status).toBe(401);
  });

  it("finds documents registered before the page index existed once they are indexed by page", async () => {
    const older = webhook.harness.workspace.addPage({ title: "Older page", blocks: [paragraph("old")] });
    const [olderId = ""] = await webhook.harness.register(older);
    // As a document written before the page index: its entry is missing.
    const { DeleteItemCommand } = await import("@aws-sdk/client-dynamodb");
    const { keys } = await import("../../lib/shared/table-layout.js");
    const key = keys.pageIndexEntry(TENANT, WORKSPACE, older, olderId);
    await webhook.harness.adapters.dynamodb.send(
      new DeleteItemCommand({
        TableName: webhook.harness.env.TABLE_NAME,
        Key: { pk: { S: key.pk }, sk: { S: key.sk } },
      }),
    );
    const event = () => webhook.event(webhook.pageChange("page.content_updated", older));
    expect((await webhook.send(event())).body.enqueued).toBe(0);

    await webhook.webhooks.indexDocumentPages(
      await webhook.harness.store.listDocuments({ tenantId: TENANT }),
    );
    expect((await webhook.send(event())).body.enqueued).toBe(1);
  });
});

describe("deletions, restores and rows, through sync and index", () => {
  let pageId: string;
  let documentId: string;
  const vectorsOf = async (id: string) =>
    (await webhook.harness.vectorIds()).filter((vectorId) => vectorId.startsWith(`${id}#`));

  beforeAll(async () => {
    if (webhook.storedToken() === undefined) await webhook.handshake();
    pageId = webhook.harness.workspace.addPage({
      title: "Incident runbook",
      blocks: [paragraph("Page the on-call engineer, then open the incident channel.")],
    });
    [documentId = ""] = await webhook.harness.register(pageId);
    await webhook.harness.syncAndIndex(documentId);
    await webhook.harness.receiveAll(webhook.harness.queues.syncQueue.queueUrl);
  });

  it("page.deleted: the unit sync it enqueues removes the document's vectors, no sweep needed", async () => {
    expect((await vectorsOf(documentId)).length).toBeGreaterThan(0);
    webhook.harness.workspace.trashPage(pageId);
    const reply = await webhook.send(webhook.event(webhook.pageChange("page.deleted", pageId)));
    expect(reply.body.enqueued).toBe(1);
    await webhook.harness.settle();
    expect(await vectorsOf(documentId)).toEqual([]);
    expect(await webhook.harness.store.getDocument(documentId)).toMatchObject({
      indexingStatus: "archived",
      archived: true,
    });
  });

  it("page.undeleted: the page is indexed again", async () => {
    webhook.harness.workspace.restorePage(pageId);
    webhook.harness.clock.advance(60_000);
    const reply = await webhook.send(webhook.event(webhook.pageChange("page.undeleted", pageId)));
    expect(reply.body.enqueued).toBe(1);
    await webhook.harness.settle();
    expect((await vectorsOf(documentId)).length).toBeGreaterThan(0);
    expect(await webhook.harness.store.getDocument(documentId)).toMatchObject({
      indexingStatus: "completed",
      archived: false,
    });
  });

  it("maps a row's page events and data source events to the database's document, re-checked by content", async () => {
    const { databaseId, dataSourceId } = webhook.harness.workspace.addDatabase({
      title: "Services",
      columns: { Name: "title", Owner: "rich_text" },
      rows: [{ Name: "Billing", Owner: "Ada" }],
    });
    const [databaseDocument = ""] = await webhook.harness.register(databaseId);
    const row = webhook.harness.workspace.addRow(dataSourceId, { Name: "Search", Owner: "Grace" });
    const rowParent = { id: databaseId, type: "database", data_source_id: dataSourceId };

    const rowEvent = webhook.event(webhook.pageChange("page.properties_updated", row, rowParent));
    expect((await webhook.send(rowEvent)).body).toMatchObject({ documents: 1, enqueued: 1 });
    webhook.harness.clock.advance(1000);
    const dataSourceEvent = webhook.event({
      type: "data_source.content_updated",
      entity: { id: dataSourceId, type: "data_source" },
      parent: { id: databaseId, type: "database" },
    });
    expect((await webhook.send(dataSourceEvent)).body).toMatchObject({ documents: 1, enqueued: 1 });

    const messages = await webhook.harness.receiveAll(webhook.harness.queues.syncQueue.queueUrl);
    expect(messages.map((message) => JSON.parse(message.Body ?? ""))).toEqual([
      { tenantId: TENANT, datasetId: DATASET, documentId: databaseDocument, recheck: true },
      { tenantId: TENANT, datasetId: DATASET, documentId: databaseDocument, recheck: true },
    ]);
  });
});
