/**
 * The CLI end to end, as a user runs it (docs/cli.md): `dev` in the foreground in a fresh directory,
 * then the other commands as separate processes that find the stack through
 * `.notion-index-sync/local.json`, with their `--json` output parsed.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PAGES } from "../../local/demo-workspace.js";
import {
  cli,
  cliJson,
  cliWithEnv,
  type DevProcess,
  expectOneLineFailure,
  startDev,
  stopDev,
} from "../support/cli-process.js";
import { listeningSockets } from "../support/listening-sockets.js";

const TEST_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 90_000;

const HANDBOOK_HEX = DEMO_PAGES.handbook.id.replace(/-/g, "");
const HANDBOOK_URL = `https://www.notion.so/Team-handbook-${HANDBOOK_HEX}`;
const PHRASE = "home-office budget of 1,000 euros";

interface DocumentView {
  documentId: string;
  datasetId: string;
  tenantId: string;
  title: string;
  pageId: string;
  indexingStatus: string;
  isPaused: boolean;
  generation: number;
  segmentCount: number;
  tokens: number;
  error: string | null;
  lastEditedTime: string | null;
  lastRun: { embedded: number; cached: number; tokens: number } | null;
}
interface SegmentView {
  position: number;
  content: string;
  indexNodeId: string;
  generation: number;
  tokens: number;
  source: string;
}
/** A match as `query --json` prints it: the retrieval API's answer (lib/retrieval/query-response.ts). */
interface MatchView {
  documentId: string;
  id: string;
  score: number;
  content: string;
  sourceUrl: string;
}

const SETTLED = ["completed", "error", "paused", "archived"];

const dirs: string[] = [];
const started: DevProcess[] = [];
/** The directory `dev` runs in, and that every command of the end-to-end scenarios runs in. */
let cwd: string;
let devStarting: Promise<DevProcess>;

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "notion-index-sync-e2e-"));
  dirs.push(dir);
  return dir;
}

async function startTrackedDev(dir: string): Promise<DevProcess> {
  const dev = await startDev(dir);
  started.push(dev);
  return dev;
}

// `dev` takes seconds to start: start it first, and check the no-stack case meanwhile.
beforeAll(async () => {
  cwd = await freshDir();
  devStarting = startTrackedDev(cwd);
  devStarting.catch(() => undefined);
});

afterAll(async () => {
  await devStarting?.catch(() => undefined);
  await Promise.all(started.map((dev) => stopDev(dev).catch(() => undefined)));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
}, 60_000);

describe("notion-index-sync CLI with no stack", { timeout: TEST_TIMEOUT_MS }, () => {
  it("status in a fresh directory fails with a one-line reason that says to run npm start", async () => {
    const empty = await freshDir();
    expect(existsSync(join(empty, ".notion-index-sync"))).toBe(false);
    expectOneLineFailure(await cli(empty, "status"), /npm start/);
  });
});

describe("notion-index-sync CLI usage", { timeout: TEST_TIMEOUT_MS }, () => {
  it("answers an unknown command with one line that lists the commands", async () => {
    const empty = await freshDir();
    const result = await cli(empty, "frobnicate");
    expectOneLineFailure(
      result,
      /unknown command 'frobnicate' \(commands: dev, add, .*status.*; see --help\)/,
    );
  });

  it("prints the version with --version", async () => {
    const result = await cli(await freshDir(), "--version");
    const { version } = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("answers a usage error with one line that points to --help, not the whole help", async () => {
    const empty = await freshDir();
    expectOneLineFailure(await cli(empty, "status", "--bogus"), /unknown option '--bogus' \(see --help\)$/);
    expectOneLineFailure(await cli(empty, "add"), /missing required argument 'ids' \(see --help\)$/);
  });
});

describe("notion-index-sync CLI, end to end", { timeout: TEST_TIMEOUT_MS }, () => {
  let dev: DevProcess;
  /** Set by the first scenario; the later ones build on it. */
  let documentId: string;
  let indexed: DocumentView;
  let indexedSegments: SegmentView[];

  const statusOf = async (id: string) =>
    (await cliJson<{ documents: DocumentView[] }>(cwd, "status", "--document", id, "--json")).documents;

  beforeAll(async () => {
    dev = await devStarting;
  }, READY_TIMEOUT_MS + 10_000);

  it("dev prints the demo summary, writes local.json and keeps running", async () => {
    expect(dev.output()).toContain("Try (in another terminal");
    const info = JSON.parse(await readFile(join(cwd, ".notion-index-sync", "local.json"), "utf8"));
    expect(info.pid).toBe(dev.child.pid);
    expect(info.demo).toBe(true);
    expect(info.pineconeStandIn).toBe(true);
  });

  it("a second npm start in the same folder says in one line that one is running, and leaves it be", async () => {
    const second = await cli(cwd, "dev", "--sweep-interval", "0");
    expectOneLineFailure(
      second,
      new RegExp(
        `a local stack is already running \\(pid ${dev.child.pid}, state folder \\.notion-index-sync/\\)`,
      ),
    );
    expect(existsSync(join(cwd, ".notion-index-sync", "local.json"))).toBe(true);
    expect(dev.child.exitCode).toBeNull();
  });

  it("every server of dev listens on 127.0.0.1 only", () => {
    const pid = dev.child.pid;
    if (pid === undefined) throw new Error("dev has no pid");
    const sockets = listeningSockets(pid);
    // DynamoDB, SQS, Pinecone, Notion, Secrets Manager and the webhook endpoint at least.
    expect(sockets.length).toBeGreaterThanOrEqual(5);
    expect(sockets.filter((socket) => !socket.loopback)).toEqual([]);
  });

  it("add --wait indexes a page given as a Notion URL; status and segments describe it", async () => {
    const added = await cli(
      cwd,
      "add",
      HANDBOOK_URL,
      "--dataset",
      "e2e",
      "--tenant",
      "acme",
      "--wait",
      "--json",
    );
    expect(added.code).toBe(0);
    const registered = JSON.parse(added.stdout);
    expect(registered).toMatchObject({ datasetId: "e2e", tenantId: "acme" });
    expect(registered.documentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    documentId = registered.documentId;

    const [statusJson, segmentsJson] = await Promise.all([
      cliJson<{ documents: DocumentView[] }>(cwd, "status", "--document", documentId, "--json"),
      cliJson<{ segments: SegmentView[] }>(cwd, "segments", documentId, "--json"),
    ]);
    expect(statusJson.documents).toHaveLength(1);
    const document = statusJson.documents[0] as DocumentView;
    expect(document).toMatchObject({
      documentId,
      datasetId: "e2e",
      tenantId: "acme",
      pageId: DEMO_PAGES.handbook.id,
      title: DEMO_PAGES.handbook.title,
      indexingStatus: "completed",
      isPaused: false,
      error: null,
    });
    expect(document.generation).toBeGreaterThanOrEqual(1);
    expect(document.segmentCount).toBeGreaterThanOrEqual(2);
    expect(document.tokens).toBeGreaterThan(0);
    expect(document.lastEditedTime).toEqual(expect.any(String));
    expect(Number.isNaN(Date.parse(document.lastEditedTime ?? ""))).toBe(false);
    // Every segment's vector was computed in this run or taken from the embedding cache (docs/embeddings-and-cost.md:
    // keyed by model and text, so the demo's copy of this page may legitimately answer from it).
    expect(document.lastRun).not.toBeNull();
    expect((document.lastRun?.embedded ?? 0) + (document.lastRun?.cached ?? 0)).toBe(document.segmentCount);
    indexed = document;

    const segments = segmentsJson.segments;
    expect(segments.map((segment) => segment.position)).toEqual([...Array(document.segmentCount).keys()]);
    for (const segment of segments) {
      expect(segment.indexNodeId).toBe(`${documentId}#${document.generation}#${segment.position}`);
      expect(segment.generation).toBe(document.generation);
      expect(segment.content.trim()).not.toBe("");
      expect(segment.tokens).toBeGreaterThan(0);
      expect(segment.source).toMatch(new RegExp(`^https://www\\.notion\\.so/[^#]*${HANDBOOK_HEX}#\\S+$`));
    }
    indexedSegments = segments;
  });

  it("query finds the page within its tenant's dataset, and refuses another tenant", async () => {
    const [own, other] = await Promise.all([
      cli(cwd, "query", PHRASE, "--dataset", "e2e", "--tenant", "acme", "--json"),
      cli(cwd, "query", PHRASE, "--tenant", "default", "--dataset", "e2e", "--json"),
    ]);
    expect(own.code).toBe(0);
    const { matches } = JSON.parse(own.stdout) as { matches: MatchView[] };
    expect(matches.length).toBeGreaterThan(0);
    const [first] = matches as [MatchView];
    expect(first.documentId).toBe(documentId);
    expect(first.id).toMatch(new RegExp(`^${documentId}#${indexed.generation}#\\d+$`));
    for (const word of PHRASE.split(" ")) expect(first.content?.toLowerCase()).toContain(word);
    expect(first.sourceUrl).toMatch(/^https:\/\/www\.notion\.so\/.*#/);
    // The default dataset holds the same handbook under another document id: it must not leak in.
    expect(matches.every((match) => match.documentId === documentId)).toBe(true);

    // Another tenant's dataset reads as missing, as it does through the retrieval API.
    expectOneLineFailure(other, /no dataset e2e for this tenant/);
  });

  it("connect stores the token from --token-env in the local Secrets Manager, and the functions read it there", async () => {
    const connected = await cliWithEnv(
      cwd,
      { GLOBEX_TOKEN: "demo-token" },
      "connect",
      "--tenant",
      "globex",
      "--workspace",
      "ws-globex",
      "--token-env",
      "GLOBEX_TOKEN",
      "--notion-rate",
      "20/4",
      "--json",
    );
    expect(connected.code, connected.stderr).toBe(0);
    const binding = JSON.parse(connected.stdout) as {
      tokenRef: string;
      secret: { name: string };
      notionRate: unknown;
    };
    // Its own Notion budget, used by every function instance working for this binding.
    expect(binding.notionRate).toEqual({ requestsPerSecond: 20, burst: 4 });
    expect(binding.tokenRef).toMatch(
      /^secretsmanager:arn:aws:secretsmanager:[^:]+:\d+:secret:notion-index-sync\/local\/notion\/globex\/ws-globex-/,
    );
    expect(binding.secret.name).toBe("notion-index-sync/local/notion/globex/ws-globex");
    expect(connected.stdout).not.toContain("demo-token");
    expectOneLineFailure(
      await cliWithEnv(
        cwd,
        { GLOBEX_TOKEN: "demo-token" },
        "connect",
        "--tenant",
        "globex",
        "--workspace",
        "ws-globex",
        "--token-env",
        "GLOBEX_TOKEN",
        "--notion-rate",
        "fast",
      ),
      /--notion-rate must be requests a second/,
    );

    const added = await cliJson<{ documents: { documentId: string }[] }>(
      cwd,
      "add",
      DEMO_PAGES.faq.id,
      "--tenant",
      "globex",
      "--workspace",
      "ws-globex",
      "--dataset",
      "globex-docs",
      "--wait",
      "--json",
    );
    const [document] = await statusOf(added.documents[0]?.documentId ?? "");
    expect(document).toMatchObject({ tenantId: "globex", indexingStatus: "completed" });

    const missing = await cli(
      cwd,
      "connect",
      "--tenant",
      "globex",
      "--workspace",
      "ws-2",
      "--token-env",
      "NO_SUCH_VARIABLE",
    );
    expectOneLineFailure(missing, /set NO_SUCH_VARIABLE to the integration token/);
  });

  it("pause and resume", async () => {
    const paused = await cliJson<{ documentId: string; isPaused: boolean }>(
      cwd,
      "pause",
      documentId,
      "--json",
    );
    expect(paused).toMatchObject({ documentId, isPaused: true });
    expect((await statusOf(documentId))[0]?.isPaused).toBe(true);
    // Nothing was running: the table says "paused", not "completed (pausing)" forever.
    const table = await cli(cwd, "status", "--document", documentId);
    expect(table.stdout).toMatch(/\bpaused\b/);
    expect(table.stdout).not.toContain("(pausing)");

    const resumed = await cliJson<{ documentId: string; isPaused: boolean }>(
      cwd,
      "resume",
      documentId,
      "--json",
    );
    expect(resumed).toMatchObject({ documentId, isPaused: false });
    const deadline = Date.now() + 30_000;
    let document = (await statusOf(documentId))[0];
    while (
      document &&
      !(SETTLED.includes(document.indexingStatus) && !document.isPaused) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      document = (await statusOf(documentId))[0];
    }
    expect(document).toMatchObject({ documentId, indexingStatus: "completed", isPaused: false, error: null });
    expect(document?.generation).toBeGreaterThanOrEqual(indexed.generation);
    expect(document?.segmentCount).toBe(indexed.segmentCount);
  });

  it("status fits 80 columns when piped, without colour, with plain headers and totals that add up", async () => {
    const [table, json] = await Promise.all([
      cli(cwd, "status"),
      cliJson<{ documents: DocumentView[] }>(cwd, "status", "--json"),
    ]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(table.stdout).not.toContain("\u001b[");
    expect(lines[0]).toMatch(/^document +.*title +status/);
    const tokens = json.documents.reduce((sum, document) => sum + document.tokens, 0);
    const segments = json.documents.reduce((sum, document) => sum + document.segmentCount, 0);
    const count = json.documents.length;
    const summary = lines.slice(lines.indexOf("") + 1).join(" ");
    expect(summary).toContain(
      `${count} ${count === 1 ? "document" : "documents"}: ${segments.toLocaleString("en-US")} segments, ${tokens.toLocaleString("en-US")} tokens.`,
    );
  });

  it("add --wait shows its progress as plain lines when piped (a spinner on a terminal)", async () => {
    const result = await cli(cwd, "add", DEMO_PAGES.runbook.id, "--dataset", "progress", "--wait");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^waiting for 1 document to be indexed…\n1 document settled\nregistered \S+ as document \S+ \(dataset progress\): completed\n$/,
    );
    expect(result.stderr).toBe("");
  });

  it("sync --wait and resync --wait wait for the pipeline, with progress, and say how it ended", async () => {
    const synced = await cli(cwd, "sync", "--dataset", "e2e", "--wait");
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toMatch(
      /^syncing 1 document: waiting for the queues to empty…\nthe queues are empty\nsynced 1 document: 1 (completed|paused)\n$/,
    );
    const swept = await cli(cwd, "resync", "--wait");
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stdout).toMatch(
      /the queues are empty\nswept: the sweep and the syncs it queued were handled\n$/,
    );
  });

  it("refuses empty queries and names that name nothing, with a reason, in every command", async () => {
    const results = await Promise.all([
      cli(cwd, "query", ""),
      cli(cwd, "query", "anything", "--top-k", "0"),
      cli(cwd, "status", "--dataset", "nope"),
      cli(cwd, "sync", "--dataset", "nope"),
      cli(cwd, "resync", "--dataset", "nope"),
      cli(cwd, "resync", "--tenant", "nope"),
      cli(cwd, "query", "anything", "--dataset", "nope"),
    ]);
    const reasons = [
      /the query text is empty/,
      /--top-k.*must be a positive integer/,
      /no dataset nope/,
      /no dataset nope/,
      /no dataset nope/,
      /no tenant nope/,
      /no dataset nope/,
    ];
    for (const [index, result] of results.entries()) {
      expectOneLineFailure(result, reasons[index] as RegExp);
    }
  });

  it("failures exit non-zero with one line on stderr and nothing on stdout; --json is only JSON", async () => {
    const [noSegments, badId, status] = await Promise.all([
      cli(cwd, "segments", "no-such-doc"),
      cli(cwd, "add", "not-a-notion-id"),
      cli(cwd, "status", "--json"),
    ]);
    expectOneLineFailure(noSegments, /no document no-such-doc/);
    expectOneLineFailure(badId, /"not-a-notion-id" is not a Notion page or database id or URL/);

    expect(status.code).toBe(0);
    const { documents } = JSON.parse(status.stdout) as { documents: DocumentView[] };
    expect(documents.map((document) => document.documentId)).toContain(documentId);
    // The four demo documents in the default dataset, plus ours.
    expect(documents.filter((document) => document.datasetId === "default")).toHaveLength(4);
  });

  it("documents, segments and vectors survive a restart of dev", async () => {
    const infoPath = join(cwd, ".notion-index-sync", "local.json");
    const staleInfo = await readFile(infoPath, "utf8");
    // While it ran, dev logged each document run of the pages the other scenarios added.
    expect(dev.output()).toMatch(
      new RegExp(
        `\\d\\d:\\d\\d:\\d\\d {2}index {2}${DEMO_PAGES.handbook.title} {2}completed, generation \\d+, \\d+ chunks?, \\d+ ms`,
      ),
    );
    expect(dev.output()).toMatch(
      new RegExp(`sync {3}${DEMO_PAGES.handbook.title} {2}changed: generation \\d+ queued for indexing`),
    );
    const stopped = await stopDev(dev);
    expect(stopped).toEqual({ code: 0, signal: null });
    expect(dev.output()).toMatch(
      /\nstopped; documents, segments and vectors are kept in \.notion-index-sync\/\n$/,
    );
    expect(existsSync(infoPath)).toBe(false);

    // A local.json left behind by a stack that is gone: the reason says what to do.
    const staleDir = await freshDir();
    await mkdir(join(staleDir, ".notion-index-sync"));
    await writeFile(join(staleDir, ".notion-index-sync", "local.json"), staleInfo);
    const [stale] = await Promise.all([
      cli(staleDir, "status", "--json"),
      startTrackedDev(cwd).then((restarted) => {
        dev = restarted;
      }),
    ]);
    expectOneLineFailure(stale, /npm start/);

    const [statusJson, segmentsJson, queryJson] = await Promise.all([
      cliJson<{ documents: DocumentView[] }>(cwd, "status", "--document", documentId, "--json"),
      cliJson<{ segments: SegmentView[] }>(cwd, "segments", documentId, "--json"),
      cliJson<{ matches: MatchView[] }>(
        cwd,
        "query",
        PHRASE,
        "--dataset",
        "e2e",
        "--tenant",
        "acme",
        "--json",
      ),
    ]);
    expect(statusJson.documents[0]).toMatchObject({
      documentId,
      indexingStatus: "completed",
      generation: indexed.generation,
      segmentCount: indexed.segmentCount,
    });
    expect(segmentsJson.segments.map((segment) => segment.indexNodeId)).toEqual(
      indexedSegments.map((segment) => segment.indexNodeId),
    );
    expect(queryJson.matches[0]?.documentId).toBe(documentId);
  });
});
