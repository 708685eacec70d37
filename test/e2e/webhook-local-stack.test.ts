/**
 * The whole loop on the local stack: an edit in the Notion stand-in → its signed event → the webhook
 * function behind the local function URL → a delayed unit sync → index → `query` finds the new text.
 * No sweep runs and no sync is sent by hand: only the webhook can bring the edit in.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLocalInfo } from "../../lib/cli/local-stack-info.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { DEMO_PAGES } from "../../local/demo-workspace.js";
import { type LocalStack, startLocalStack } from "../../local/stack.js";

let stack: LocalStack;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "nis-webhook-"));
  stack = await startLocalStack({
    stateDir,
    persist: false,
    visibilityTimeoutSeconds: 5,
    sweepIntervalSeconds: 0,
    logLevel: "SILENT",
    webhooks: { debounceSeconds: 1 },
  });
});

afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

/** Polls until the check passes or the deadline passes (a bound, not a timing assertion). */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met before the deadline");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("webhooks on the local stack", () => {
  it("writes the webhook's URL into local.json, and the stand-in's handshake was accepted", async () => {
    const info = await readLocalInfo(stateDir);
    expect(info?.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(JSON.stringify(info)).not.toContain(stack.webhooks?.verificationToken ?? "no token");
  });

  it("brings an edit in the Notion stand-in into the index through the webhook alone", async () => {
    const [registered] = await registerDocuments(
      { store: stack.adapters.store, syncQueue: stack.adapters.syncQueue, clock: { now: () => new Date() } },
      { ...stack.info.defaults, pageIds: [DEMO_PAGES.faq.id], embeddingModel: "local-hash-v1" },
    );
    await stack.waitForIdle({ timeoutMs: 60_000 });
    const documentId = registered?.documentId ?? "";
    const before = await stack.adapters.store.getDocument(documentId);
    expect(before?.indexingStatus).toBe("completed");

    const newText = "Webhook edit: the kiwi quartz falcon policy now covers refunds within ninety days.";
    stack.workspace?.appendParagraph(DEMO_PAGES.faq.id, newText);
    await stack.webhooks?.flush();
    const delivered = stack.webhooks?.deliveries.filter(
      (delivery) => delivery.type === "page.content_updated" && delivery.entityId === DEMO_PAGES.faq.id,
    );
    expect(delivered?.map((delivery) => delivery.status)).toEqual([200]);

    const namespace = `${stack.info.defaults.tenantId}.${stack.info.defaults.datasetId}`;
    const vector = await stack.adapters.embedder.embedQuery("kiwi quartz falcon policy refunds");
    const match = await eventually(async () => {
      const matches = await stack.adapters.vectors.query(namespace, vector, { topK: 3 });
      return matches.find((candidate) => candidate.metadata?.text.includes("kiwi quartz falcon"));
    });
    expect(match.metadata?.documentId).toBe(documentId);
    const after = await stack.adapters.store.getDocument(documentId);
    expect(after?.generation).toBeGreaterThan(before?.generation ?? 0);
  });
});
