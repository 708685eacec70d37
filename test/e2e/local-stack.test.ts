/**
 * The local stack as Lambda would run it: the real handler modules fed by the queue pollers
 * (batches, partial failures, visibility timeout, redrive to the dead-letter queue).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { awsClientOptions } from "../../lib/adapters/aws/aws-clients.js";
import { addCommand } from "../../lib/cli/commands/add.js";
import { removeCommand } from "../../lib/cli/commands/remove.js";
import type { Connection } from "../../lib/cli/connect.js";
import { readLocalInfo } from "../../lib/cli/local-stack-info.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { DEMO_PAGES } from "../../local/demo-workspace.js";
import { paragraph } from "../../local/notion-blocks.js";
import { type LocalStack, startLocalStack } from "../../local/stack.js";

let stack: LocalStack;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "nis-stack-"));
  stack = await startLocalStack({
    stateDir,
    persist: false,
    visibilityTimeoutSeconds: 1,
    maxReceiveCount: 2,
    sweepIntervalSeconds: 0,
    logLevel: "SILENT",
  });
});

afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

/** Receives and deletes every message on a queue. */
async function drain(queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const received = await stack.adapters.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
      }),
    );
    if (!received.Messages?.length) return messages;
    for (const message of received.Messages) {
      await stack.adapters.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
    messages.push(...received.Messages);
  }
}

describe("local stack", () => {
  it("writes local.json with every endpoint and queue, and no secret", async () => {
    const info = await readLocalInfo(stateDir);
    expect(info).toMatchObject({
      tableName: stack.info.tableName,
      syncQueueUrl: stack.info.syncQueueUrl,
      indexDeadLetterQueueUrl: stack.info.indexDeadLetterQueueUrl,
      demo: true,
    });
    expect(JSON.stringify(info)).not.toMatch(/demo-token|local-stand-in/);
  });

  it("local.json's URLs are URLs, and an SQS client set up from it works on its queue URLs as written", async () => {
    const info = await readLocalInfo(stateDir);
    if (!info) throw new Error("no local.json");
    // Every string that looks like an address must parse as one (a user's script does `new URL`).
    const urls = Object.entries(info).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string" && /^https?:/.test(entry[1]),
    );
    expect(urls.map(([key]) => key)).toEqual(
      expect.arrayContaining(["sqsEndpoint", "syncQueueUrl", "indexQueueUrl", "dynamodbEndpoint"]),
    );
    for (const [key, value] of urls) {
      expect(() => new URL(value), key).not.toThrow();
      expect(new URL(value).hostname, key).toBe("127.0.0.1");
    }
    const sqs = new SQSClient(awsClientOptions(info.region, info.sqsEndpoint));
    try {
      const body = JSON.stringify({ probe: "local.json" });
      await sqs.send(new SendMessageCommand({ QueueUrl: info.syncDeadLetterQueueUrl, MessageBody: body }));
      const received = await drain(info.syncDeadLetterQueueUrl);
      expect(received.map((message) => message.Body)).toEqual([body]);
    } finally {
      sqs.destroy();
    }
  });

  it("indexes pages sent through the queues by the real handler modules", async () => {
    const registered = await registerDocuments(
      { store: stack.adapters.store, syncQueue: stack.adapters.syncQueue, clock: { now: () => new Date() } },
      {
        ...stack.info.defaults,
        pageIds: [DEMO_PAGES.runbook.id, DEMO_PAGES.faq.id],
        embeddingModel: "local-hash-v1",
      },
    );
    await stack.waitForIdle();
    for (const { documentId } of registered) {
      const document = await stack.adapters.store.getDocument(documentId);
      expect(document).toMatchObject({ indexingStatus: "completed", generation: 1 });
      expect(document?.segmentCount).toBeGreaterThan(0);
    }
    const vector = await stack.adapters.embedder.embedQuery("acknowledge the page within five minutes");
    const matches = await stack.adapters.vectors.query(
      `${stack.info.defaults.tenantId}.${stack.info.defaults.datasetId}`,
      vector,
      {
        topK: 1,
      },
    );
    expect(matches[0]?.metadata?.title).toBe(DEMO_PAGES.runbook.title);
  });

  it("keeps the runbook's structure in its segments: nested items and toggle children indented, code as written", async () => {
    const documents = await stack.adapters.store.listDocuments({
      tenantId: stack.info.defaults.tenantId,
      datasetId: stack.info.defaults.datasetId,
    });
    const documentId = documents.find((d) => d.dataSourceInfo.pageId === DEMO_PAGES.runbook.id)?.documentId;
    expect(documentId).toBeDefined();
    const text = (await stack.adapters.store.listSegments(documentId ?? ""))
      .sort((a, b) => a.position - b.position)
      .map((segment) => segment.content)
      .join("\n");
    // Blocks are joined by a blank line; each keeps two spaces of indentation per level.
    expect(text).toMatch(/\n3\. Assess the impact and set the severity:\n+ {2}- SEV1: customers cannot pay/);
    expect(text).toMatch(
      /\n {4}- Page the incident commander and the head of engineering\.\n+ {6}- Post a status page/,
    );
    expect(text).toMatch(/\n```bash\nkubectl -n checkout rollout undo/);
    expect(text).toMatch(/\n {2}Promote the replica in the console/);
  });

  it("dead-letters malformed messages with a reason and processes the valid ones of the same batch", async () => {
    const [document] = await registerDocuments(
      { store: stack.adapters.store, syncQueue: stack.adapters.syncQueue, clock: { now: () => new Date() } },
      {
        ...stack.info.defaults,
        datasetId: "batch",
        pageIds: [DEMO_PAGES.handbook.id],
        embeddingModel: "local-hash-v1",
      },
    );
    for (const body of ['{"datasetId": "batch"', '{"type": "sweep", "tenantId": ""}']) {
      await stack.adapters.sqs.send(
        new SendMessageCommand({ QueueUrl: stack.info.syncQueueUrl, MessageBody: body }),
      );
    }
    await stack.waitForIdle();

    expect(await stack.adapters.store.getDocument(document?.documentId ?? "")).toMatchObject({
      indexingStatus: "completed",
    });
    const dead = await drain(stack.info.syncDeadLetterQueueUrl);
    expect(dead.map((message) => message.Body).sort()).toEqual([
      '{"datasetId": "batch"',
      '{"type": "sweep", "tenantId": ""}',
    ]);
    for (const message of dead)
      expect(message.MessageAttributes?.reason?.StringValue).toMatch(/^InvalidMessageError: /);
  });

  it("retries a failing record and dead-letters it after maxReceiveCount receives, never looping", async () => {
    const [document] = await registerDocuments(
      { store: stack.adapters.store, syncQueue: stack.adapters.syncQueue, clock: { now: () => new Date() } },
      {
        ...stack.info.defaults,
        datasetId: "flaky",
        pageIds: [DEMO_PAGES.faq.id],
        embeddingModel: "local-hash-v1",
      },
    );
    await stack.waitForIdle();
    const documentId = document?.documentId ?? "";
    const before = await stack.adapters.store.getDocument(documentId);
    expect(before?.indexingStatus).toBe("completed");

    // Notion answers 503 to everything: each receive fails as retryable, then SQS's redrive gives up.
    stack.notion?.faults.failNext(10_000, 503);
    try {
      await stack.adapters.syncQueue.send({ datasetId: "flaky", documentId });
      await stack.waitForIdle({ timeoutMs: 45_000 });
    } finally {
      stack.notion?.faults.clear();
    }

    const dead = await drain(stack.info.syncDeadLetterQueueUrl);
    expect(dead.map((message) => JSON.parse(message.Body ?? "{}"))).toEqual([
      { datasetId: "flaky", documentId },
    ]);
    // A transient error is never taken for a deletion: the indexed content is untouched.
    expect(await stack.adapters.store.getDocument(documentId)).toEqual(before);
  });
});

describe("add and remove, as the CLI runs them against this stack", () => {
  /** Runs a CLI command function in this process, its stdout captured instead of printed. */
  async function run(command: (connection: Connection) => Promise<void>) {
    const connection = { adapters: stack.adapters, local: stack.info, defaults: stack.info.defaults };
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await command(connection as Connection);
      return { stdout: written.join(""), error: undefined };
    } catch (error) {
      return { stdout: written.join(""), error: error as Error };
    } finally {
      write.mockRestore();
    }
  }
  const ownPages = async () =>
    (await stack.adapters.store.listDocuments({})).map((d) => d.dataSourceInfo.pageId);

  it("add refuses a page Notion does not show the integration, and registers nothing", async () => {
    const unknown = "ffffffff-ffff-4fff-8fff-ffffffffffff";
    const { error } = await run((c) =>
      addCommand(c, [`https://www.notion.so/My-page-${unknown.replace(/-/g, "")}`], { wait: true }),
    );
    expect(error?.message).toMatch(/no page or database ffffffff-.* share it with the integration/);
    expect(await ownPages()).not.toContain(unknown);
  });

  it("add --wait says how each document ended, and fails when one could not be indexed", async () => {
    const workspace = stack.workspace as NonNullable<typeof stack.workspace>;
    const tooBig = workspace.addPage({
      title: "Over the block limit",
      blocks: Array.from({ length: 20_001 }, (_, n) => paragraph(`line ${n}`)),
    });
    const { stdout, error } = await run((c) =>
      addCommand(c, [DEMO_PAGES.faq.id, tooBig], { wait: true, timeout: 90, dataset: "add-wait" }),
    );
    expect(stdout).toMatch(
      new RegExp(`${DEMO_PAGES.faq.id} as document \\S+ \\(dataset add-wait\\): completed`),
    );
    expect(stdout).toMatch(new RegExp(`${tooBig} as document \\S+ \\(dataset add-wait\\): error`));
    expect(error?.message).toMatch(/^1 of 2 not indexed: \S+ error: /);
  }, 120_000);

  it("remove deletes a document's vectors, segments and the document itself", async () => {
    const added = await run((c) =>
      addCommand(c, [DEMO_PAGES.runbook.id], { wait: true, dataset: "to-remove", json: true }),
    );
    expect(added.error).toBeUndefined();
    const { documentId } = JSON.parse(added.stdout) as { documentId: string };
    const before = await stack.adapters.store.listSegments(documentId);
    expect(before.length).toBeGreaterThan(0);
    const namespace = (await stack.adapters.store.getDataset("default", "to-remove"))?.vectorNamespace ?? "";
    expect(stack.pinecone?.ids(namespace).some((id) => id.startsWith(documentId))).toBe(true);

    const removed = await run((c) => removeCommand(c, documentId, { json: true }));
    expect(JSON.parse(removed.stdout)).toMatchObject({
      documentId,
      removed: true,
      segmentsDeleted: before.length,
    });
    expect(await stack.adapters.store.getDocument(documentId)).toBeUndefined();
    expect(await stack.adapters.store.listSegments(documentId)).toEqual([]);
    expect(stack.pinecone?.ids(namespace).filter((id) => id.startsWith(documentId))).toEqual([]);
    const again = await run((c) => removeCommand(c, documentId, {}));
    expect(again.error?.message).toBe(`no document ${documentId}`);
  }, 60_000);
});
