/**
 * Secrets never reach logs, errors or CLI output (issue 7). Distinctive fake secrets are given to a
 * full run, failures included, and everything it printed or stored for people to read is scanned:
 * - the local stack (`dev`) as a child process running the real function modules with Powertools
 *   logging at DEBUG, against stand-ins that demand the fake Notion token and Pinecone key; then the
 *   CLI commands a user runs, successful and failing;
 * - an in-process run with the OpenAI embedder against its stand-in, whose 401 echoes a masked key
 *   as the real API does: captured log lines, errors, document errors and dead-letter reasons.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClientOptions } from "../../lib/adapters/aws/aws-clients.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { signBody } from "../../lib/webhooks/signature.js";
import { heading1, paragraph } from "../../local/notion-blocks.js";
import { type NotionStandIn, startNotionServer } from "../../local/notion-server.js";
import { eventOf } from "../../local/notion-webhooks.js";
import { NotionWorkspace } from "../../local/notion-workspace.js";
import { type OpenAiStandIn, startOpenAiStandIn } from "../../local/openai-standin.js";
import { type PineconeStandIn, startPineconeServer } from "../../local/pinecone-server.js";
import { DATASET, startHarness, TENANT, TEST_NOTION_RATE, WORKSPACE } from "../support/harness.js";
import { secretLeaks } from "./secret-scan.js";

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(new URL("../../bin/notion-index-sync.js", import.meta.url));

/** Obviously fake, but unlike anything else the system prints. */
const SECRETS = {
  NOTION_TOKEN: "fake-notion-token-QZ7K4XW9PLM2VB8",
  PINECONE_API_KEY: "fake-pinecone-key-M3RJ8VB2QTN5XC4",
  OPENAI_API_KEY: "fake-openai-key-T5HN6CP1WRD8YF3",
  /** A tenant's token Notion no longer accepts: the 401 path. */
  REVOKED_NOTION_TOKEN: "fake-revoked-notion-token-J8W2NQ5RXV7",
  /** A token in a message body (someone pasted it): shaped like a real one, held by nobody. */
  // Built at run time, so that no credential-shaped literal is committed.
  STRAY_NOTION_TOKEN: `ntn_${"51234567890"}fakeStrayTokenW4XQ9ZK2PLM7VB3`,
  /** The HMAC key Notion's webhook handshake hands over. */
  WEBHOOK_VERIFICATION_TOKEN: "fake-webhook-verification-token-H4KD9ZT2",
};

describe("the scanner", () => {
  it("finds a secret whole, truncated, base64-encoded or JSON-escaped, and nothing in clean text", () => {
    const token = SECRETS.NOTION_TOKEN;
    expect(secretLeaks(`Authorization: Bearer ${token}`, SECRETS)).toEqual(["NOTION_TOKEN"]);
    expect(secretLeaks(`key ...${token.slice(-12)}`, SECRETS)).toEqual(["NOTION_TOKEN"]);
    // Base64 at any offset: after 0, 1 or 2 other bytes, and followed by more.
    for (const prefix of ["", "x", "xy", "user:", "Basic "]) {
      const encoded = Buffer.from(`${prefix}${SECRETS.PINECONE_API_KEY}","more":1}`).toString("base64");
      expect(secretLeaks(`header ${encoded} end`, SECRETS), prefix).toEqual(["PINECONE_API_KEY"]);
    }
    expect(secretLeaks(Buffer.from(SECRETS.PINECONE_API_KEY).toString("base64"), SECRETS)).toEqual([
      "PINECONE_API_KEY",
    ]);
    expect(secretLeaks("rejected the API key fak***YF3", SECRETS)).toEqual([]);
  });
});

describe("the local stack and the CLI print no secret", () => {
  let cwd: string;
  let notion: NotionStandIn;
  let pinecone: PineconeStandIn;
  let dev: ChildProcess;
  let devOutput = "";
  const workspace = new NotionWorkspace();
  const pageId = workspace.addPage({
    title: "Secret handling",
    blocks: [heading1("Keys"), paragraph("Rotate the signing keys every ninety days.")],
  });
  const trashedId = workspace.addPage({ title: "Old draft", blocks: [paragraph("An old draft.")] });
  const cliOutput: string[] = [];

  function env(): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = {};
    for (const name of ["PATH", "HOME", "TMPDIR", "LANG"])
      if (process.env[name]) base[name] = process.env[name];
    return {
      ...base,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "DEBUG",
      // The standard switch that makes Powertools log every event, handshake bodies included.
      POWERTOOLS_LOGGER_LOG_EVENT: "true",
      NOTION_TOKEN: SECRETS.NOTION_TOKEN,
      REVOKED_NOTION_TOKEN: SECRETS.REVOKED_NOTION_TOKEN,
      NOTION_BASE_URL: notion.url,
      PINECONE_API_KEY: SECRETS.PINECONE_API_KEY,
      PINECONE_INDEX_HOST: pinecone.url,
    };
  }

  async function cli(...args: string[]): Promise<number> {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [BIN, ...args], {
        cwd,
        env: env(),
        timeout: 60_000,
      });
      cliOutput.push(`$ ${args.join(" ")}\n${stdout}${stderr}`);
      return 0;
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      cliOutput.push(`$ ${args.join(" ")}\n${failed.stdout ?? ""}${failed.stderr ?? String(error)}`);
      return typeof failed.code === "number" ? failed.code : -1;
    }
  }

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), "secret-scan-"));
    notion = await startNotionServer({
      workspace,
      tokens: [SECRETS.NOTION_TOKEN],
      rateLimit: TEST_NOTION_RATE,
    });
    pinecone = await startPineconeServer({ dimension: 384, apiKey: SECRETS.PINECONE_API_KEY });
    dev = spawn(process.execPath, [BIN, "dev", "--sweep-interval", "0"], {
      cwd,
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [dev.stdout, dev.stderr]) {
      stream?.setEncoding("utf8").on("data", (chunk: string) => {
        devOutput += chunk;
      });
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dev did not start:\n${devOutput}`)), 90_000);
      const poll = setInterval(() => {
        if (/^Running/m.test(devOutput)) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 100);
      dev.once("exit", () => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`dev exited:\n${devOutput}`));
      });
    });
  }, 120_000);

  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      const exited = new Promise((resolve) => dev.once("exit", resolve));
      dev.kill("SIGINT");
      await exited;
    }
    await notion?.close();
    await pinecone?.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it("a full run with throttling, server errors, a trashed page and failing commands leaks nothing", async () => {
    expect(await cli("add", pageId, trashedId, "--wait", "--json")).toBe(0);
    expect(await cli("status", "--json")).toBe(0);
    expect(await cli("query", "how often are signing keys rotated?", "--json")).toBe(0);

    // An edit synced through Notion 429s and 503s and a Pinecone 500; a trashed page is archived. (An
    // edit inside the minute of the last read is found by content hash, so no waiting is needed.)
    workspace.appendParagraph(pageId, "Revoked keys are listed on the security page.");
    workspace.trashPage(trashedId);
    notion.faults.failNext(2, 503);
    notion.faults.failNext(1, 429, 1);
    pinecone.faults.failNext(1, 500);
    expect(await cli("sync")).toBe(0);
    expect(await cli("add", pageId, "--wait")).toBe(0);
    expect(await cli("status")).toBe(0);
    const localJson = await readFile(join(cwd, ".notion-index-sync", "local.json"), "utf8");

    // Failures: each exits non-zero with its reason.
    expect(await cli("status", "--document", "no-such-document")).not.toBe(0);
    expect(await cli("add", "not-a-notion-id")).not.toBe(0);
    expect(await cli("query", "anything", "--dataset", "no-such-dataset")).not.toBe(0);
    expect(await cli("segments", "no-such-document")).not.toBe(0);

    // Notion refuses a token (401), in the CLI and in the functions: reasons, never the token.
    // A tenant indexed with a good token, whose binding then points at a revoked one (a secret of
    // another name, so the functions' five-minute secret cache cannot hide the change).
    const revokedSecret = "notion-index-sync/local/notion/revoked/ws-r2";
    expect(await cli("connect", "--tenant", "revoked", "--workspace", "ws-r")).toBe(0);
    expect(
      await cli(
        "add",
        pageId,
        "--tenant",
        "revoked",
        "--workspace",
        "ws-r",
        "--dataset",
        "revoked",
        "--wait",
      ),
    ).toBe(0);
    expect(
      await cli(
        "connect",
        "--tenant",
        "revoked",
        "--workspace",
        "ws-r2",
        "--token-env",
        "REVOKED_NOTION_TOKEN",
      ),
    ).toBe(0);
    expect(
      await cli("add", pageId, "--tenant", "revoked", "--workspace", "ws-r2", "--dataset", "revoked-2"),
    ).not.toBe(0);
    expect(cliOutput.at(-1)).toMatch(/reconnect Notion/);
    expect(
      await cli("connect", "--tenant", "revoked", "--workspace", "ws-r", "--token-secret", revokedSecret),
    ).toBe(0);
    expect(await cli("sync", "--dataset", "revoked")).toBe(0);
    let revoked = "";
    for (let attempt = 0; attempt < 60 && !/"indexingStatus": "error"/.test(revoked); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await cli("status", "--dataset", "revoked", "--json");
      revoked = cliOutput.at(-1) ?? "";
    }
    expect(revoked).toMatch(/"indexingStatus": "error"/);
    expect(revoked).toMatch(/reconnect Notion/);

    // The webhook: its URL (with its path secret) is printed on request only, so that command's
    // output is not scanned; the handshake and a signed event go through the function in dev.
    const { stdout } = await execFileAsync(process.execPath, [BIN, "webhook", "url", "--json"], {
      cwd,
      env: env(),
    });
    const url = (JSON.parse(stdout) as { url: string }).url;
    const pathSecret = url.split("/").at(-1) ?? "";
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
    const handshake = await post(JSON.stringify({ verification_token: SECRETS.WEBHOOK_VERIFICATION_TOKEN }));
    expect(handshake.status).toBe(200);
    const eventBody = JSON.stringify({
      ...eventOf(
        {
          type: "page.content_updated",
          entity: { id: pageId, type: "page" },
          parent: { id: workspace.workspaceId, type: "space" },
        },
        workspace,
        new Date(),
      ),
      attempt_number: 1,
    });
    const event = await post(eventBody, {
      "x-notion-signature": signBody(eventBody, SECRETS.WEBHOOK_VERIFICATION_TOKEN),
    });
    expect(event.status).toBe(200);

    // The operator's tools print what they read: dead letters (one carries a token in its body, a
    // secret the CLI does not hold), the health check (it reads every token), the usage.
    const info = JSON.parse(localJson) as { syncQueueUrl: string; sqsEndpoint: string; region: string };
    const sqs = new SQSClient(awsClientOptions(info.region, info.sqsEndpoint));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: info.syncQueueUrl,
        MessageBody: `{"documentId": "x", "token": "${SECRETS.STRAY_NOTION_TOKEN}"`,
      }),
    );
    let deadLetters = "";
    for (let attempt = 0; attempt < 40 && !/InvalidMessageError/.test(deadLetters); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await cli("dlq", "list", "--json");
      deadLetters = cliOutput.at(-1) ?? "";
    }
    expect(deadLetters).toMatch(/InvalidMessageError/);
    expect(await cli("dlq", "list")).toBe(0);
    // The revoked binding fails its check: the line names it, never its token.
    expect(await cli("doctor")).not.toBe(0);
    expect(cliOutput.at(-1)).toMatch(/notion token \(binding revoked/);
    expect(await cli("status", "--totals")).toBe(0);

    const printed = [devOutput, ...cliOutput, localJson].join("\n");
    // The scan covered a real run: DEBUG-level function logs, the archive, CLI failures.
    expect(devOutput).toMatch(/"level":"(DEBUG|INFO)"/);
    expect(devOutput).toContain("queued for indexing");
    expect(printed).toMatch(/no document no-such-document/);
    // The switch was on, and still no event was logged.
    expect(devOutput).not.toContain("Lambda invocation event");
    expect(secretLeaks(printed, { ...SECRETS, WEBHOOK_PATH_SECRET: pathSecret })).toEqual([]);
  }, 240_000);
});

describe("an in-process run with the OpenAI embedder prints no secret", () => {
  let openai: OpenAiStandIn;

  beforeAll(async () => {
    openai = await startOpenAiStandIn({ apiKey: SECRETS.OPENAI_API_KEY });
  });
  afterAll(async () => {
    await openai?.close();
  });

  it("logs, errors, document errors and dead-letter reasons hold no key, also when the key is refused", async () => {
    const h = await startHarness({
      EMBEDDING_PROVIDER: "openai",
      EMBEDDING_MODEL: "text-embedding-3-small",
      EMBEDDING_DIMENSION: "64",
      OPENAI_API_KEY: SECRETS.OPENAI_API_KEY,
      OPENAI_BASE_URL: openai.url,
      PINECONE_API_KEY: SECRETS.PINECONE_API_KEY,
    });
    try {
      const ok = h.workspace.addPage({ title: "Embedded", blocks: [paragraph("Embedded with a key.")] });
      const refused = h.workspace.addPage({ title: "Refused", blocks: [paragraph("Refused key.")] });
      h.clock.advance(61_000);
      const registered = await registerDocuments(
        { store: h.store, syncQueue: h.adapters.syncQueue, clock: h.clock },
        {
          tenantId: TENANT,
          datasetId: DATASET,
          workspaceId: WORKSPACE,
          pageIds: [ok, refused],
          embeddingModel: "text-embedding-3-small",
        },
      );
      await h.receiveAll(h.queues.syncQueue.queueUrl);
      const [okId, refusedId] = registered.map((document) => document.documentId) as [string, string];
      const results: unknown[] = [await h.syncAndIndex(okId)];
      openai.faults.failNext(1, { status: 401, code: "invalid_api_key" });
      results.push(await h.syncAndIndex(refusedId));
      results.push(await h.syncHandler(h.record("{not json")));

      const documents = [await h.store.getDocument(okId), await h.store.getDocument(refusedId)];
      expect(documents.map((document) => document?.indexingStatus)).toEqual(["completed", "error"]);
      expect(documents[1]?.error).toMatch(/OPENAI_API_KEY/);
      const deadLetters = await h.receiveAll(h.queues.syncDlq.queueUrl);
      expect(deadLetters).toHaveLength(1);

      const captured = JSON.stringify({ logs: h.logs, results, documents, deadLetters });
      expect(secretLeaks(captured, SECRETS)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
