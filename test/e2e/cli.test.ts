/**
 * The CLI end to end, as a user runs it (design §6): `dev` in the foreground in a fresh directory,
 * then the other commands as separate processes that find the stack through
 * `.notion-index-sync/local.json`, with their `--json` output parsed.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PAGES } from "../../lib/local/demo-workspace.js";

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(new URL("../../bin/notion-index-sync.js", import.meta.url));
const TEST_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 90_000;

const HANDBOOK_HEX = DEMO_PAGES.handbook.id.replace(/-/g, "");
const HANDBOOK_URL = `https://www.notion.so/Team-handbook-${HANDBOOK_HEX}`;
const PHRASE = "home-office budget of 1,000 euros";

/** The user's environment minus anything that would point the CLI at a real stack, Notion or Pinecone. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: "ERROR" };
  for (const name of [
    "NOTION_TOKEN",
    "NOTION_BASE_URL",
    "PINECONE_API_KEY",
    "PINECONE_INDEX_HOST",
    "EMBEDDING_PROVIDER",
    "EMBEDDING_MODEL",
    "TABLE_NAME",
    "SYNC_QUEUE_URL",
    "INDEX_QUEUE_URL",
    "NOTION_INDEX_SYNC_STACK",
  ]) {
    delete env[name];
  }
  // Secret references would send the CLI to Secrets Manager instead of the local stack.
  for (const name of Object.keys(env)) if (/_SECRET_(NAME|ARN)$/.test(name)) delete env[name];
  return env;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to completion; never throws on a non-zero exit. */
async function cli(cwd: string, ...args: string[]): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [BIN, ...args], {
      cwd,
      env: childEnv(),
      timeout: 45_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === "number" ? failed.code : -1,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? String(error),
    };
  }
}

/** Runs a `--json` command that must succeed; its whole stdout must be one JSON document. */
async function cliJson<T>(cwd: string, ...args: string[]): Promise<T> {
  const result = await cli(cwd, ...args);
  if (result.code !== 0) {
    throw new Error(`${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

/** The failure contract: non-zero exit, nothing on stdout, exactly one line on stderr. */
function expectOneLineFailure(result: RunResult, reason: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe("");
  expect(result.stderr.endsWith("\n")).toBe(true);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(reason);
}

interface DevProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `dev` and resolves once it prints "Running" (bounded); rejects if it exits first. */
async function startDev(cwd: string): Promise<DevProcess> {
  const child = spawn(process.execPath, [BIN, "dev", "--sweep-interval", "0"], {
    cwd,
    env: childEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const dev: DevProcess = { child, output: () => stdout, exited };
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`dev did not print "Running" within ${READY_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`));
    }, READY_TIMEOUT_MS);
    const poll = setInterval(() => {
      if (/^Running/m.test(stdout)) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 100);
    void exited.then(({ code, signal }) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(
        new Error(`dev exited (code ${code}, signal ${signal}) before it was ready:\n${stdout}\n${stderr}`),
      );
    });
  });
  try {
    await ready;
  } catch (error) {
    await stopDev(dev, 5_000).catch(() => undefined);
    throw error;
  }
  return dev;
}

/** SIGINT, then SIGKILL if the process has not exited within the grace period. */
async function stopDev(dev: DevProcess, graceMs = 20_000) {
  if (dev.child.exitCode === null && dev.child.signalCode === null) dev.child.kill("SIGINT");
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), graceMs);
  });
  const outcome = await Promise.race([dev.exited, hung]);
  clearTimeout(timer);
  if (outcome === "hung") {
    dev.child.kill("SIGKILL");
    await dev.exited;
    throw new Error(`dev did not stop within ${graceMs} ms of SIGINT and was killed`);
  }
  return outcome;
}

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
interface MatchView {
  documentId: string | null;
  indexNodeId: string;
  score: number;
  content: string | null;
  source: string | null;
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
    // Every segment's vector was computed in this run or taken from the embedding cache (design §3:
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
    expect(first.indexNodeId).toMatch(new RegExp(`^${documentId}#${indexed.generation}#\\d+$`));
    for (const word of PHRASE.split(" ")) expect(first.content?.toLowerCase()).toContain(word);
    expect(first.source).toMatch(/^https:\/\/www\.notion\.so\/.*#/);
    // The default dataset holds the same handbook under another document id: it must not leak in.
    expect(matches.every((match) => match.documentId === documentId)).toBe(true);

    expectOneLineFailure(other, /e2e.*default|default.*e2e/);
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
    const stopped = await stopDev(dev);
    expect(stopped).toEqual({ code: 0, signal: null });
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
