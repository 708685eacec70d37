/**
 * `doctor` against one local stack, started once: healthy (every line ✓, exit 0), then broken in
 * each way doctor checks and repaired before the next case. Each broken case asserts the failing
 * line, its fix and the non-zero exit (in process: the command throws its one-line summary).
 * The deployed-only parts (IAM's policy simulator, the stack's resources, the EventBridge rule) are
 * not exercised here: there are no IAM or EventBridge stand-ins yet.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { documentClient } from "../../lib/adapters/aws/dynamodb-document-client.js";
import { doctorCommand } from "../../lib/cli/commands/doctor.js";
import { runChecks } from "../../lib/cli/doctor/run-checks.js";
import { LOCAL_TOKEN_REF, type LocalStackInfo } from "../../lib/cli/local-stack-info.js";
import type { DataSourceBinding } from "../../lib/core/model.js";
import { keys } from "../../lib/shared/table-layout.js";
import { newPathSecret } from "../../lib/webhooks/path-secret.js";
import { DEMO_TOKEN } from "../../local/demo-workspace.js";
import { type LocalStack, startLocalStack } from "../../local/stack.js";
import { cli } from "../support/cli-process.js";

let stack: LocalStack;
let root: string;

beforeAll(async () => {
  // local.json in <root>/.notion-index-sync, where a CLI started in <root> finds it.
  root = await mkdtemp(join(tmpdir(), "nis-doctor-"));
  stack = await startLocalStack({
    stateDir: join(root, ".notion-index-sync"),
    persist: false,
    sweepIntervalSeconds: 300,
    logLevel: "SILENT",
  });
});

afterAll(async () => {
  await stack?.stop();
  await rm(root, { recursive: true, force: true });
});

interface Outcome {
  stdout: string;
  lines: string[];
  /** The one-line summary a non-zero exit prints; undefined when every check passed. */
  failure: string | undefined;
}

/** Runs doctor in this process against the stack `info` describes, capturing what it prints. */
async function doctor(
  info: LocalStackInfo = stack.info,
  options: { json?: boolean; maxWaiting?: number } = {},
) {
  const written: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  let failure: string | undefined;
  try {
    await doctorCommand({}, { timeout: 5, ...options }, { kind: "local", info });
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  } finally {
    write.mockRestore();
  }
  const stdout = written.join("");
  const outcome: Outcome = { stdout, lines: stdout.trimEnd().split("\n"), failure };
  // Whatever broke, no secret value is ever printed.
  expect(stdout).not.toContain(DEMO_TOKEN);
  return outcome;
}

/** The one line of a check, which must be there. */
function line(outcome: Outcome, check: string): string {
  const found = outcome.lines.find((text) => text.slice(2).startsWith(`${check}:`));
  expect(found, `no line for ${check} in:\n${outcome.stdout}`).toBeDefined();
  return found as string;
}

function expectOnlyFailure(outcome: Outcome, check: string, detail: RegExp, fix: RegExp): void {
  const failing = line(outcome, check);
  expect(failing.startsWith("✗ ")).toBe(true);
  const [shown, fixText] = failing.split(" — fix: ");
  expect(shown).toMatch(detail);
  expect(fixText).toMatch(fix);
  expect(outcome.failure).toMatch(/^doctor: \d+ of \d+ checks failed$/);
}

async function putBinding(workspaceId: string, extra: Partial<DataSourceBinding> = {}): Promise<void> {
  await stack.adapters.store.putBinding({
    tenantId: "default",
    provider: "notion",
    workspaceId,
    tokenRef: LOCAL_TOKEN_REF,
    disabled: false,
    ...extra,
  });
}

async function deleteBinding(workspaceId: string): Promise<void> {
  await documentClient(stack.adapters.dynamodb).send(
    new DeleteCommand({ TableName: stack.info.tableName, Key: keys.binding("default", workspaceId) }),
  );
}

async function drain(queueUrl: string): Promise<void> {
  for (;;) {
    const { Messages = [] } = await stack.adapters.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) return;
    for (const message of Messages) {
      await stack.adapters.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  }
}

describe("doctor on a healthy local stack", () => {
  it("prints one ✓ line per check and passes", async () => {
    const outcome = await doctor();
    expect(outcome.failure).toBeUndefined();
    for (const text of outcome.lines) expect(text).toMatch(/^[✓–] /);
    expect(line(outcome, "outputs")).toMatch(/^✓ outputs: local\.json found; \d+ endpoints answer$/);
    expect(line(outcome, "secret (binding default/default)")).toMatch(/^✓ /);
    expect(line(outcome, "pinecone index")).toMatch(/dimension 384, as local\/local-hash-v1 makes/);
    expect(line(outcome, "notion token (binding default/default)")).toMatch(/^✓ .*accepts the token/);
    expect(line(outcome, "webhook (binding default/default)")).toMatch(/^✓ .*verification token received/);
    for (const queue of ["queue sync", "queue index", "dead letters sync", "dead letters index"]) {
      expect(line(outcome, queue)).toMatch(/^✓ /);
    }
    expect(line(outcome, "schedule")).toBe("✓ schedule: a sweep every 300 s");
  });

  it("--json prints an array of {check, ok, detail, fix}", async () => {
    const outcome = await doctor(stack.info, { json: true });
    expect(outcome.failure).toBeUndefined();
    const results = JSON.parse(outcome.stdout) as { check: string; ok: boolean; detail: string; fix: null }[];
    expect(results.length).toBeGreaterThanOrEqual(10);
    for (const result of results) {
      expect(result).toMatchObject({ ok: true, fix: null });
      expect(typeof result.check).toBe("string");
      expect(typeof result.detail).toBe("string");
    }
  });

  it("exits 0 as a process, finding the stack through local.json", async () => {
    const result = await cli(root, "doctor");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ outputs: /m);
    expect(result.stdout).not.toMatch(/^✗/m);
  });
});

describe("doctor on a broken local stack", () => {
  it("a binding whose token secret is missing: the secret fails, and Notion is not asked", async () => {
    await putBinding("ws-missing", {
      tokenRef: "secretsmanager:notion-index-sync/local/notion/default/ws-missing",
    });
    try {
      const outcome = await doctor();
      expectOnlyFailure(
        outcome,
        "secret (binding default/ws-missing)",
        /secret notion-index-sync\/local\/notion\/default\/ws-missing does not exist/,
        /notion-index-sync connect --tenant default --workspace ws-missing/,
      );
      expect(line(outcome, "notion token (binding default/ws-missing)")).toMatch(
        /^– .*see the secrets check/,
      );
      expect(line(outcome, "secret (binding default/default)")).toMatch(/^✓ /);
    } finally {
      await deleteBinding("ws-missing");
    }
  });

  it("a binding whose token Notion refuses: reconnect", async () => {
    const refused = "ntn_revoked-token-value";
    const secrets = new SecretsManagerClient({
      region: stack.info.region,
      endpoint: stack.info.secretsManagerEndpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await secrets.send(
      new CreateSecretCommand({
        Name: "notion-index-sync/local/notion/default/ws-revoked",
        SecretString: refused,
      }),
    );
    secrets.destroy();
    await putBinding("ws-revoked", {
      tokenRef: "secretsmanager:notion-index-sync/local/notion/default/ws-revoked",
    });
    try {
      const outcome = await doctor();
      expectOnlyFailure(
        outcome,
        "notion token (binding default/ws-revoked)",
        /Notion refused the token \(401\)/,
        /run notion-index-sync connect --tenant default --workspace ws-revoked/,
      );
      expect(line(outcome, "secret (binding default/ws-revoked)")).toMatch(/^✓ /);
      expect(outcome.stdout).not.toContain(refused);
    } finally {
      await deleteBinding("ws-revoked");
    }
  });

  it("a webhook URL Notion never verified", async () => {
    await putBinding("ws-unverified", { webhookPathSecret: newPathSecret() });
    try {
      const outcome = await doctor();
      expectOnlyFailure(
        outcome,
        "webhook (binding default/ws-unverified)",
        /not verified: Notion has not sent its verification token/,
        /webhook url --tenant default --workspace ws-unverified.*webhook token --tenant default --workspace ws-unverified/,
      );
      expect(outcome.lines.filter((text) => text.startsWith("✗"))).toHaveLength(1);
    } finally {
      await deleteBinding("ws-unverified");
    }
  });

  it("a Pinecone index of the wrong dimension, and a missing one", async () => {
    const pinecone = stack.info.pineconeHost;
    const created = await fetch(`${pinecone}/indexes`, {
      method: "POST",
      headers: { "content-type": "application/json", "api-key": "local-stand-in" },
      body: JSON.stringify({
        name: "doctor-small",
        dimension: 8,
        metric: "cosine",
        spec: { serverless: { cloud: "aws", region: "us-east-1" } },
      }),
    });
    expect(created.status).toBeLessThan(300);
    const wrong = await doctor({ ...stack.info, pineconeHost: `${pinecone}/_index/doctor-small` });
    expectOnlyFailure(
      wrong,
      "pinecone index",
      /has dimension 8, but local\/local-hash-v1 makes 384-dimensional vectors/,
      /index of dimension 384 with `notion-index-sync init --name/,
    );
    const missing = await doctor({ ...stack.info, pineconeHost: `${pinecone}/_index/no-such-index` });
    expectOnlyFailure(missing, "pinecone index", /no Pinecone index answers at/, /`notion-index-sync init`/);
  });

  it("a work queue backing up", async () => {
    // A queue no poller reads stands for a sync queue whose function does not keep up.
    const { QueueUrl } = await stack.adapters.sqs.send(
      new CreateQueueCommand({ QueueName: "doctor-backlog" }),
    );
    for (let message = 0; message < 3; message++) {
      await stack.adapters.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "{}" }));
    }
    const outcome = await doctor({ ...stack.info, syncQueueUrl: QueueUrl as string }, { maxWaiting: 2 });
    expectOnlyFailure(
      outcome,
      "queue sync",
      /backing up: 3 waiting, 0 in flight, 0 delayed \(more than 2 waiting\)/,
      /errors and throttles/,
    );
  });

  it("a dead-letter queue that is not empty", async () => {
    await stack.adapters.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.info.indexDeadLetterQueueUrl,
        MessageBody: '{"poison":true}',
      }),
    );
    try {
      const outcome = await doctor();
      expectOnlyFailure(
        outcome,
        "dead letters index",
        /^✗ dead letters index: 1 dead letter /,
        /^see `notion-index-sync dlq list`$/,
      );
      expect(line(outcome, "dead letters sync")).toBe("✓ dead letters sync: empty");
    } finally {
      await drain(stack.info.indexDeadLetterQueueUrl);
    }
  });

  it("the sweep schedule off", async () => {
    const outcome = await doctor({ ...stack.info, sweepIntervalSeconds: 0 });
    expectOnlyFailure(outcome, "schedule", /scheduled sweeps are off/, /--sweep-interval 300/);
  });

  it("local.json left by a stack that stopped, or naming an endpoint that does not answer", async () => {
    const stopped = await doctor({ ...stack.info, pid: 2 ** 22 + 1 });
    expectOnlyFailure(stopped, "outputs", /process \(pid \d+\) is not running/, /`npm start`/);
    const silent = await doctor({ ...stack.info, secretsManagerEndpoint: "http://127.0.0.1:9" });
    expectOnlyFailure(
      silent,
      "outputs",
      /endpoints that do not answer: Secrets Manager \(http:\/\/127\.0\.0\.1:9\)/,
      /`npm start`/,
    );
    // The checks that need Secrets Manager fail on their own lines; the others still pass.
    expect(line(silent, "secret (binding default/default)")).toMatch(/^✗ /);
    expect(line(silent, "schedule")).toMatch(/^✓ /);
  });

  it("no local.json at all: one failing line, exit 1", async () => {
    const empty = join(root, "elsewhere");
    await mkdir(empty, { recursive: true });
    const result = await cli(empty, "doctor", "--local");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^✗ outputs: no local stack: \.notion-index-sync\/local\.json does not exist.* — fix: start the local stack with `npm start`/,
    );
    expect(result.stderr.trim()).toBe("notion-index-sync: doctor: 1 of 1 checks failed");
  });
});

describe("doctor's runner", () => {
  it("a check that hangs is one failed line after its timeout; the others still report", async () => {
    const results = await runChecks(
      [
        { name: "hangs", run: () => new Promise(() => undefined) },
        { name: "throws", run: () => Promise.reject(new Error("boom")) },
        { name: "passes", run: async () => [{ check: "passes", ok: true, detail: "fine" }] },
      ],
      { timeoutMs: 200 },
    );
    expect(results).toEqual([
      expect.objectContaining({ check: "hangs", ok: false, detail: "no answer within 200 ms" }),
      expect.objectContaining({ check: "throws", ok: false, detail: "boom" }),
      { check: "passes", ok: true, detail: "fine" },
    ]);
  });
});
