/**
 * The webhook takeover, step by step (issue 12). Before, anyone who knew a binding's URL
 * (`/notion/{tenant}/{workspace}`, guessable) could send the unsigned handshake first and own the
 * binding, and their first signed event pinned the binding to a Notion workspace of their choice;
 * `webhook reset` kept that pin, so Notion's real events were then ignored with a 200 and no alarm.
 * Now the URL ends in a 256-bit secret, reset rotates it and forgets the pin, and an ignored event
 * of another workspace is a warning the stack alarms on.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { webhookResetCommand, webhookUrlCommand } from "../../lib/cli/commands/webhook.js";
import type { Connection } from "../../lib/cli/connect.js";
import { FOREIGN_WORKSPACE_ALERT } from "../../lib/shared/alerts.js";
import { newPathSecret } from "../../lib/webhooks/path-secret.js";
import { signBody } from "../../lib/webhooks/signature.js";
import { parseWebhookPath, webhookPath } from "../../lib/webhooks/webhook-path.js";
import { DATASET, TENANT, WORKSPACE } from "../support/harness.js";
import { startWebhookHarness, WEBHOOK_TOKEN, type WebhookHarness } from "../support/webhook-harness.js";

const ATTACKER_TOKEN = "fake-attacker-webhook-token-deadbeef";
const ATTACKER_WORKSPACE = "66666666-0000-4000-8000-00000000a77a";
const WEBHOOK_BASE = "https://webhook.example.invalid/";

let webhook: WebhookHarness;
let pageId: string;

beforeAll(async () => {
  webhook = await startWebhookHarness();
  pageId = webhook.harness.workspace.addPage({ title: "Takeover target" });
  await webhook.harness.register(pageId);
  await webhook.harness.receiveAll(webhook.harness.queues.syncQueue.queueUrl);
});
afterAll(async () => {
  await webhook?.close();
});

/** The CLI command as an operator runs it, its `--json` output parsed. */
async function cliJson(command: typeof webhookResetCommand): Promise<{ url: string }> {
  const connection = {
    adapters: webhook.harness.adapters,
    local: undefined,
    defaults: { tenantId: TENANT, datasetId: DATASET, workspaceId: WORKSPACE },
  } as unknown as Connection;
  const written: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  vi.stubEnv("WEBHOOK_URL", WEBHOOK_BASE);
  vi.stubEnv("TABLE_NAME", webhook.harness.env.TABLE_NAME);
  try {
    await command(connection, { json: true });
  } finally {
    write.mockRestore();
    vi.unstubAllEnvs();
  }
  return JSON.parse(written.join("")) as { url: string };
}

const pathOf = (url: string) => new URL(url).pathname;

function signed(event: unknown, token: string, path: string) {
  const body = JSON.stringify(event);
  return webhook.post(body, { "x-notion-signature": signBody(body, token) }, { path });
}

describe("webhook binding takeover", () => {
  it("without the URL's secret, the handshake and events get 404 and change nothing", async () => {
    const guessable = `/notion/${TENANT}/${WORKSPACE}`;
    const wrongSecret = webhookPath({
      tenantId: TENANT,
      workspaceId: WORKSPACE,
      pathSecret: newPathSecret(),
    });
    const almost = webhook.path.slice(0, -1) + (webhook.path.endsWith("A") ? "B" : "A");
    for (const path of [guessable, `${guessable}/`, wrongSecret, almost]) {
      expect((await webhook.handshake(ATTACKER_TOKEN, path)).status, path).toBe(404);
      const event = webhook.event(webhook.pageChange("page.content_updated", pageId), {
        workspace_id: ATTACKER_WORKSPACE,
      });
      expect((await signed(event, ATTACKER_TOKEN, path)).status, path).toBe(404);
    }
    expect(webhook.storedToken()).toBeUndefined();
    const binding = await webhook.harness.store.getBinding(TENANT, WORKSPACE);
    expect(binding?.notionWorkspaceId).toBeUndefined();
  });

  it("`webhook url` shows the URL with its secret, and Notion's handshake and events through it work", async () => {
    const { url } = await cliJson(webhookUrlCommand);
    expect(url).toBe(`${WEBHOOK_BASE.slice(0, -1)}${webhook.path}`);
    expect(parseWebhookPath(pathOf(url))?.pathSecret).toHaveLength(43);
    expect((await webhook.handshake(WEBHOOK_TOKEN, pathOf(url))).status).toBe(200);
    const event = webhook.event(webhook.pageChange("page.content_updated", pageId));
    expect((await signed(event, WEBHOOK_TOKEN, pathOf(url))).body).toMatchObject({ enqueued: 1 });
  });

  it("an event of another workspace than the pinned one is ignored with a warning the alarm counts", async () => {
    // The state the old takeover left behind: the binding pinned to the attacker's workspace.
    const binding = await webhook.harness.store.getBinding(TENANT, WORKSPACE);
    await webhook.harness.store.putBinding({
      ...(binding as NonNullable<typeof binding>),
      notionWorkspaceId: ATTACKER_WORKSPACE,
    });
    webhook.harness.clock.advance(120_000);
    const event = webhook.event(webhook.pageChange("page.content_updated", pageId));
    const reply = await signed(event, WEBHOOK_TOKEN, webhook.path);
    expect(reply).toMatchObject({ status: 200, body: { ignored: "event of another workspace" } });
    const warning = webhook.harness.logs.find((line) => line.extra.alert === FOREIGN_WORKSPACE_ALERT);
    expect(warning).toMatchObject({
      level: "warn",
      extra: {
        eventWorkspaceId: webhook.harness.workspace.workspaceId,
        expectedWorkspaceId: ATTACKER_WORKSPACE,
      },
    });
  });

  it("`webhook reset` kills the old URL, forgets the pin, and Notion's new subscription works again", async () => {
    const oldPath = webhook.path;
    const { url } = await cliJson(webhookResetCommand);
    const newPath = pathOf(url);
    expect(newPath).not.toBe(oldPath);
    const binding = await webhook.harness.store.getBinding(TENANT, WORKSPACE);
    expect(binding?.notionWorkspaceId).toBeUndefined();

    // The old URL is dead for everyone, the attacker included.
    expect((await webhook.handshake(ATTACKER_TOKEN, oldPath)).status).toBe(404);
    webhook.harness.clock.advance(120_000);
    const stale = webhook.event(webhook.pageChange("page.content_updated", pageId));
    expect((await signed(stale, WEBHOOK_TOKEN, oldPath)).status).toBe(404);

    // Notion's new subscription: its handshake replaces the token (reset armed), its events count.
    const newToken = "fake-notion-new-subscription-token-7777";
    expect((await webhook.handshake(newToken, newPath)).status).toBe(200);
    expect(webhook.storedToken()).toBe(newToken);
    const event = webhook.event(webhook.pageChange("page.content_updated", pageId));
    const reply = await signed(event, newToken, newPath);
    expect(reply.status).toBe(200);
    expect(reply.body).not.toHaveProperty("ignored");
    expect(reply.body).toMatchObject({ documents: 1, enqueued: 1 });
    const pinned = await webhook.harness.store.getBinding(TENANT, WORKSPACE);
    expect(pinned?.notionWorkspaceId).toBe(webhook.harness.workspace.workspaceId);
  });
});
