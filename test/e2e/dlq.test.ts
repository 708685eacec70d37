/**
 * `dlq list` and `dlq redrive` on the AWS stand-ins, whose work queues redrive to their dead-letter
 * queues after two receives, as a deployed stack's do after five. The dead letters arrive both ways:
 * poison messages the sync function dead-letters with a reason, and a message SQS's redrive policy
 * moved after it failed every receive. Listing deletes nothing, and secrets never show.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { dlqListCommand, dlqRedriveCommand } from "../../lib/cli/commands/dlq.js";
import type { Connection } from "../../lib/cli/connect.js";
import { loadConfig } from "../../lib/composition/config.js";
import { type Adapters, createAdapters } from "../../lib/composition/from-config.js";
import { PermanentError } from "../../lib/shared/errors.js";
import { createSyncRecordHandler } from "../../lib/sqs-records/sync-record.js";
import { type AwsStandIns, startAwsStandIns } from "../../local/aws-stand-ins.js";
import { printedBy } from "../support/cli-in-process.js";
import { cliWithEnv, expectOneLineFailure } from "../support/cli-process.js";
import { collectingLog, type LogLine, sqsRecord, TestClock } from "../support/harness.js";

/** A retrieval API key's shape (its secret part is redacted by the one redactor) and a Notion token. */
const API_KEY = `nis_0123456789abcdef_${"k".repeat(43)}`;
const NOTION_TOKEN = `secret_${"t".repeat(43)}`;
const MAX_RECEIVE_COUNT = 2;

interface ListedMessage {
  queue: string;
  messageId: string;
  reason: string;
  source: string;
  firstSeen: string | null;
  preview: string;
}

let aws: AwsStandIns;
let adapters: Adapters;
let connection: Connection;
let env: Record<string, string>;
let cwd: string;

beforeAll(async () => {
  aws = await startAwsStandIns({ visibilityTimeoutSeconds: 30, maxReceiveCount: MAX_RECEIVE_COUNT });
  env = {
    AWS_REGION: "us-east-1",
    TABLE_NAME: "dlq-test",
    DYNAMODB_ENDPOINT: aws.dynamodbEndpoint,
    ...aws.queueEnvironment,
    // Never called: `dlq` talks to SQS only.
    PINECONE_INDEX_HOST: "http://127.0.0.1:9",
    PINECONE_API_KEY: "unused",
  };
  adapters = createAdapters(loadConfig(env));
  connection = {
    adapters,
    local: undefined,
    defaults: { tenantId: "acme", datasetId: "handbook", workspaceId: "ws-1" },
    queues: { sync: env.SYNC_QUEUE_URL ?? "", index: env.INDEX_QUEUE_URL ?? "" },
    deadLetterQueues: { sync: env.SYNC_DEAD_LETTER_QUEUE_URL, index: env.INDEX_DEAD_LETTER_QUEUE_URL },
  };
  cwd = await mkdtemp(join(tmpdir(), "nis-dlq-"));
  vi.stubEnv("NOTION_TOKEN", NOTION_TOKEN);

  // Poison messages: the sync function dead-letters a body that is not JSON, with the reason.
  const logs: LogLine[] = [];
  const handleSyncRecord = createSyncRecordHandler(
    { ...adapters, deadLetters: adapters.syncDeadLetters, clock: new TestClock(), log: collectingLog(logs) },
    { leaseSeconds: 60 },
  );
  await handleSyncRecord(sqsRecord("{not json", "poison-1"));
  await handleSyncRecord(sqsRecord(`${API_KEY} ${NOTION_TOKEN} pasted by mistake`, "poison-2"));
  await adapters.indexDeadLetters.deadLetter('{"documentId":"gone"}', "NotionNotFoundError: page gone", {
    messageId: "poison-3",
    source: "index",
  });
  // A message that failed every receive: SQS's redrive policy moves it on the receive after the last.
  await adapters.syncQueue.send({ tenantId: "acme", datasetId: "handbook", documentId: "doc-retried" });
  for (let receive = 0; receive <= MAX_RECEIVE_COUNT; receive++) {
    await adapters.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: env.SYNC_QUEUE_URL,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
  }
});

afterAll(async () => {
  vi.unstubAllEnvs();
  adapters?.sqs.destroy();
  adapters?.dynamodb.destroy();
  await aws?.close();
  await rm(cwd, { recursive: true, force: true });
});

async function listJson(queue?: "sync" | "index"): Promise<ListedMessage[]> {
  const printed = await printedBy(() => dlqListCommand(connection, { json: true, queue }));
  return (JSON.parse(printed) as { messages: ListedMessage[] }).messages;
}

/** Visible and in-flight messages of a queue. */
async function depth(queueUrl: string | undefined): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await adapters.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

/** Runs `work` as if stdout were a terminal this wide. */
async function inTerminal<T>(columns: number, work: () => Promise<T>): Promise<T> {
  const { isTTY, columns: before } = process.stdout;
  Object.assign(process.stdout, { isTTY: true, columns });
  try {
    return await work();
  } finally {
    Object.assign(process.stdout, { isTTY, columns: before });
  }
}

describe("dlq", () => {
  it("lists each dead letter's reason, source, first-seen time and a redacted preview", async () => {
    const messages = await listJson();
    expect(messages).toHaveLength(4);
    const sync = messages.filter((message) => message.queue === "sync");
    expect(sync.map((message) => message.reason).sort()).toEqual([
      expect.stringMatching(/^InvalidMessageError: /),
      expect.stringMatching(/^InvalidMessageError: /),
      `failed every retry (${MAX_RECEIVE_COUNT} receives)`,
    ]);
    expect(sync.find((message) => message.preview === "{not json")).toMatchObject({ source: "sync" });
    expect(sync.find((message) => message.reason.startsWith("failed"))).toMatchObject({
      source: "sync queue",
      preview: '{"tenantId":"acme","datasetId":"handbook","documentId":"doc-retried"}',
    });
    expect(messages.find((message) => message.queue === "index")).toMatchObject({
      reason: "NotionNotFoundError: page gone",
      source: "index",
      preview: '{"documentId":"gone"}',
    });
    for (const message of messages) {
      expect(Date.now() - Date.parse(message.firstSeen ?? "")).toBeLessThan(60_000);
    }
    // The secret-bearing poison message: its key's id shows, its secret and the token never do.
    expect(sync.map((message) => message.preview)).toContain(
      "nis_0123456789abcdef_*** *** pasted by mistake",
    );
    const printed = JSON.stringify(messages);
    expect(printed).not.toContain("k".repeat(43));
    expect(printed).not.toContain(NOTION_TOKEN);
  });

  it("deletes nothing and leaves every message visible: listing twice shows the same", async () => {
    const first = await printedBy(() => dlqListCommand(connection, {}));
    const second = await printedBy(() => dlqListCommand(connection, {}));
    expect(second).toBe(first);
    expect(first).toContain(
      "4 dead letters: 3 in the sync dead-letter queue, 1 in the index dead-letter queue.",
    );
    // 80 columns (not a terminal): the source, then the body give way to the reason.
    expect(first).toMatch(/^queue\s+first seen\s+reason\n/);
    // A wide terminal shows every column, the body redacted.
    const wide = await inTerminal(200, () => printedBy(() => dlqListCommand(connection, { queue: "sync" })));
    expect(wide).toMatch(/^queue\s+first seen\s+source\s+body\s+reason\n/);
    expect(wide).toMatch(/sync\s+\S+\s+sync\s+nis_0123456789abcdef_\*\*…\s+InvalidMessageError/);
    expect(wide).not.toContain(NOTION_TOKEN);
    expect(await depth(env.SYNC_DEAD_LETTER_QUEUE_URL)).toEqual({ visible: 3, inFlight: 0 });
    expect(await depth(env.INDEX_DEAD_LETTER_QUEUE_URL)).toEqual({ visible: 1, inFlight: 0 });
    expect((await listJson("index")).map((message) => message.queue)).toEqual(["index"]);
  });

  it("refuses an invalid --reason-matches in one line, before anything moves", async () => {
    const failure = dlqRedriveCommand(connection, { reasonMatches: "(" });
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toThrow(/^--reason-matches: not a valid regular expression: .*\(/);
    expect(await depth(env.SYNC_DEAD_LETTER_QUEUE_URL)).toEqual({ visible: 3, inFlight: 0 });
  });

  it("runs as a user runs it, the dead-letter queues found in the configuration", async () => {
    const listed = await cliWithEnv(cwd, env, "dlq", "list", "--queue", "index", "--json");
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).messages).toEqual([
      expect.objectContaining({ queue: "index", reason: "NotionNotFoundError: page gone" }),
    ]);
    const refused = await cliWithEnv(cwd, env, "dlq", "redrive", "--reason-matches", "(");
    expectOneLineFailure(refused, /^notion-index-sync: --reason-matches: not a valid regular expression/);
  });

  it("with --reason-matches moves only the matching messages, and keeps the tenant's group", async () => {
    const printed = await printedBy(() =>
      dlqRedriveCommand(connection, { queue: "sync", reasonMatches: "^failed every retry" }),
    );
    expect(printed).toBe("moved 1 of 3 messages from the sync dead-letter queue to the sync queue\n");
    const { Messages = [] } = await adapters.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: env.SYNC_QUEUE_URL,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    );
    expect(
      Messages.map((message) => [JSON.parse(message.Body ?? "{}").documentId, message.Attributes]),
    ).toEqual([["doc-retried", { MessageGroupId: "acme" }]]);
    const left = await listJson("sync");
    expect(left.map((message) => message.reason)).toEqual([
      expect.stringMatching(/^InvalidMessageError/),
      expect.stringMatching(/^InvalidMessageError/),
    ]);
  });

  it("without a filter moves everything back with SQS's message-move task", async () => {
    const printed = await printedBy(() => dlqRedriveCommand(connection, {}));
    expect(printed.split("\n")).toEqual([
      expect.stringMatching(
        /^moved 2 of 2 messages from the sync dead-letter queue to the sync queue \(SQS message-move task \S+\)$/,
      ),
      expect.stringMatching(
        /^moved 1 of 1 message from the index dead-letter queue to the index queue \(SQS/,
      ),
      "",
    ]);
    expect(await printedBy(() => dlqListCommand(connection, {}))).toBe(
      "no dead letters: the sync and index dead-letter queues are empty\n",
    );
    // The sync queue now holds the retried message (received once since) and the two poison messages.
    const sync = await depth(env.SYNC_QUEUE_URL);
    expect(sync.visible + sync.inFlight).toBe(3);
    expect(await depth(env.INDEX_QUEUE_URL)).toEqual({ visible: 1, inFlight: 0 });
  });
});
