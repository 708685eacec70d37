/**
 * Upgrading keeps every existing document working (docs/upgrades.md). The table and the index of
 * test/fixtures/upgrade were written by the previous version (schema 1: dataset ids global; made by
 * scripts/make-upgrade-fixture.ts at 7f095d3): two tenants, a custom-rule dataset, a followed
 * subtree, a paused document, API keys, usage. This version's local stack is started on them and the
 * CLI, as a user runs it, is used before `migrate` (reads fall back to version 1 items), then
 * `migrate` runs in two bounded steps and once more (nothing twice), and the commands run again. Then
 * a second tenant takes a dataset name the first one has: nothing is shared.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AttributeValue, BatchWriteItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetShowCommand } from "../../lib/cli/commands/dataset.js";
import { migrateCommand } from "../../lib/cli/commands/migrate.js";
import { queryCommand } from "../../lib/cli/commands/query.js";
import { datasetPauseCommand, datasetResumeCommand } from "../../lib/cli/commands/scope.js";
import { statusCommand } from "../../lib/cli/commands/status.js";
import type { Connection } from "../../lib/cli/connect.js";
import { createDoctorContext } from "../../lib/cli/doctor/context.js";
import type { CheckResult } from "../../lib/cli/doctor/run-checks.js";
import { schemaCheck } from "../../lib/cli/doctor/schema-check.js";
import { STATE_DIR } from "../../lib/cli/local-stack-info.js";
import { DEMO_PAGES, DEMO_TOKEN } from "../../local/demo-workspace.js";
import { type LocalStack, startLocalStack } from "../../local/stack.js";
import { printedBy } from "../support/cli-in-process.js";
import { cli, cliJson, cliWithEnv, expectOneLineFailure, type RunResult } from "../support/cli-process.js";

const FIXTURE = new URL("../fixtures/upgrade/", import.meta.url);
const TEST_TIMEOUT_MS = 120_000;

interface DocumentView {
  documentId: string;
  datasetId: string;
  tenantId: string;
  title: string;
  indexingStatus: string;
  generation: number;
  segmentCount: number;
  isPaused: boolean;
}

let stack: LocalStack;
let cwd: string;
let fixtureItems: Record<string, AttributeValue>[];

/** The fixture's items as DynamoDB JSON (binary values were written as `{ base64 }`). */
async function readFixtureItems(): Promise<Record<string, AttributeValue>[]> {
  const text = await readFile(new URL("table.json", FIXTURE), "utf8");
  return JSON.parse(text, (_key, value) =>
    value && typeof value === "object" && typeof value.base64 === "string" && Object.keys(value).length === 1
      ? Buffer.from(value.base64, "base64")
      : value,
  ) as Record<string, AttributeValue>[];
}

async function scanAll(): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await stack.adapters.dynamodb.send(
      new ScanCommand({ TableName: stack.info.tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Version 1 items: datasets and registry entries keyed by the id alone, documents listed under it. */
function versionOneItems(items: Record<string, AttributeValue>[]) {
  return items.filter((item) => {
    const pk = item.pk?.S ?? "";
    const sk = item.sk?.S ?? "";
    if (sk === "DATASET") return pk.split("#").length === 2;
    if (pk === "DATASETS") return !sk.includes("#");
    if (sk === "DOC") return (item.gsi1pk?.S ?? "").split("#").length === 3;
    return false;
  });
}

/** `doctor`'s line about the table's schema (its check alone, in this process: doctor runs it so). */
async function schemaLine(): Promise<CheckResult | undefined> {
  const context = createDoctorContext(
    { kind: "local", info: stack.info },
    { timeoutMs: 10_000, maxWaiting: 1000 },
  );
  try {
    return (await schemaCheck(context).run())[0];
  } finally {
    context.close();
  }
}

/** A command's `--json` output, run in this process on the same stack (the CLI's own command function). */
async function jsonOf<T>(command: (connection: Connection) => Promise<unknown>): Promise<T> {
  return JSON.parse(await printedBy(() => command(localConnection()))) as T;
}

/** Runs a command that must succeed; its stderr is the failure's message. */
async function ok(run: Promise<RunResult>): Promise<RunResult> {
  const result = await run;
  expect(result.stderr, `exit ${result.code}`).toBe(result.code === 0 ? result.stderr : "(success)");
  return result;
}

/**
 * `status --json`, run in this process (it is asked for often; a child process each time would cost
 * more than the rest of the test): the command function the CLI runs, on the same stack.
 */
async function status(...args: string[]): Promise<DocumentView[]> {
  const options: { dataset?: string; tenant?: string; json: true } = { json: true };
  for (let i = 0; i < args.length; i += 2) {
    const value = args[i + 1];
    if (args[i] === "--dataset") options.dataset = value;
    else if (args[i] === "--tenant") options.tenant = value;
    else throw new Error(`status option ${args[i]} is not handled here`);
  }
  const printed = await printedBy(() => statusCommand(localConnection(), options));
  return (JSON.parse(printed) as { documents: DocumentView[] }).documents;
}

function localConnection(): Connection {
  return {
    adapters: stack.adapters,
    local: stack.info,
    defaults: stack.info.defaults,
    queues: { sync: stack.info.syncQueueUrl, index: stack.info.indexQueueUrl },
    tableName: stack.info.tableName,
  };
}

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "nis-upgrade-"));
  const stateDir = join(cwd, STATE_DIR);
  await mkdir(stateDir, { recursive: true });
  // The index as the old version left it; the table is loaded below, once the stand-in runs.
  await copyFile(new URL("pinecone.json", FIXTURE), join(stateDir, "pinecone.json"));
  stack = await startLocalStack({ stateDir, sweepIntervalSeconds: 0, logLevel: "SILENT" });
  fixtureItems = await readFixtureItems();
  for (let start = 0; start < fixtureItems.length; start += 25) {
    const requests = fixtureItems.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    const result = await stack.adapters.dynamodb.send(
      new BatchWriteItemCommand({ RequestItems: { [stack.info.tableName]: requests } }),
    );
    expect(Object.keys(result.UnprocessedItems ?? {})).toHaveLength(0);
  }
  // Secrets persist across a deployed upgrade; the local stand-in keeps them in memory only, so
  // acme's token is connected again, as after any restart of a local stack.
  await ok(
    cliWithEnv(cwd, { NOTION_TOKEN: DEMO_TOKEN }, "connect", "--tenant", "acme", "--workspace", "default"),
  );
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (cwd) await rm(cwd, { recursive: true, force: true });
});

describe("an upgrade from schema version 1", () => {
  let before: DocumentView[];

  it(
    "finds every document the old version indexed, before any migration",
    async () => {
      expect(versionOneItems(await scanAll()).length).toBeGreaterThan(0);
      before = await status();
      // The fixture's documents: 4 of the demo, 2 in handbook, 1 of acme, 2 in the followed subtree.
      expect(before).toHaveLength(9);
      expect(new Set(before.map((document) => `${document.tenantId}/${document.datasetId}`))).toEqual(
        new Set(["default/default", "default/handbook", "acme/acme-wiki", "default/tree"]),
      );
      expect(
        before.filter((document) => document.indexingStatus === "completed").length,
      ).toBeGreaterThanOrEqual(8);
      const handbook = await status("--dataset", "handbook");
      expect(handbook).toHaveLength(2);
      // A dataset of another tenant is found by its id when only one tenant has it, as before.
      const wiki = await status("--dataset", "acme-wiki");
      expect(wiki.map((document) => document.tenantId)).toEqual(["acme"]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "answers segments and queries from the old generations",
    async () => {
      const faq = before.find(
        (document) => document.datasetId === "default" && document.title === DEMO_PAGES.faq.title,
      );
      const segments = await cliJson<{ segments: { content: string }[] }>(
        cwd,
        "segments",
        faq?.documentId ?? "",
        "--json",
      );
      expect(segments.segments.length).toBe(faq?.segmentCount);
      const matches = await cliJson<{ matches: { documentId: string }[] }>(
        cwd,
        "query",
        "on-call escalation",
        "--dataset",
        "handbook",
        "--json",
      );
      expect(matches.matches.length).toBeGreaterThan(0);
      const handbookIds = new Set(before.filter((d) => d.datasetId === "handbook").map((d) => d.documentId));
      for (const match of matches.matches) expect(handbookIds).toContain(match.documentId);
      const wiki = await cliJson<{ matches: { documentId: string }[] }>(
        cwd,
        "query",
        "product question",
        "--tenant",
        "acme",
        "--dataset",
        "acme-wiki",
        "--json",
      );
      expect(wiki.matches.length).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  it("syncs, changes settings, adds, pauses, resumes and removes on version 1 items", async () => {
    // Unchanged in Notion: a sync re-indexes nothing; the paused document stays paused.
    await cli(cwd, "sync", "--dataset", "handbook", "--wait");
    const synced = await status("--dataset", "handbook");
    for (const document of synced) {
      const old = before.find((d) => d.documentId === document.documentId);
      expect(document.generation).toBe(old?.generation);
    }
    expect(synced.filter((document) => document.isPaused)).toHaveLength(1);

    // A settings change moves the dataset to its version 2 key and re-indexes its documents.
    expect(
      (
        await cli(
          cwd,
          "dataset",
          "set",
          "handbook",
          "--rule",
          "custom",
          "--max-tokens",
          "90",
          "--overlap",
          "5",
        )
      ).code,
    ).toBe(0);
    const paused = synced.find((document) => document.isPaused);
    await ok(cli(cwd, "resume", paused?.documentId ?? ""));
    await cli(cwd, "sync", "--dataset", "handbook", "--wait");
    const resettled = await status("--dataset", "handbook");
    expect(resettled.every((document) => document.indexingStatus === "completed")).toBe(true);
    expect(
      resettled.every(
        (document) =>
          document.generation > (before.find((d) => d.documentId === document.documentId)?.generation ?? 0),
      ),
    ).toBe(true);

    await ok(cli(cwd, "add", DEMO_PAGES.faq.id, "--dataset", "handbook", "--wait"));
    expect(await status("--dataset", "handbook")).toHaveLength(3);

    const wiki = (await status("--dataset", "acme-wiki"))[0];
    await ok(cli(cwd, "pause", wiki?.documentId ?? ""));
    await ok(cli(cwd, "resume", wiki?.documentId ?? ""));

    await ok(cli(cwd, "resync", "--dataset", "tree", "--wait"));
    expect(
      (await status("--dataset", "tree")).every((document) => document.indexingStatus === "completed"),
    ).toBe(true);

    const removed = (await status("--dataset", "handbook")).find(
      (document) => document.title === DEMO_PAGES.faq.title,
    );
    await ok(cli(cwd, "remove", removed?.documentId ?? ""));
    expect(await status("--dataset", "handbook")).toHaveLength(2);
  }, 300_000);

  it(
    "keeps keys, usage and the webhook URL",
    async () => {
      const keys = await cliJson<{ keys: { tenantId: string }[] }>(cwd, "apikey", "list", "--json");
      expect(keys.keys.map((key) => key.tenantId).sort()).toEqual(["acme", "default"]);
      await ok(cli(cwd, "apikey", "create", "--tenant", "acme", "--dataset", "acme-wiki"));
      const totals = await cli(cwd, "status", "--totals");
      expect(totals.code).toBe(0);
      expect(totals.stdout).toMatch(/acme/);
      await ok(cli(cwd, "webhook", "url"));
      expect((await cli(cwd, "dataset", "show", "tree")).stdout).toMatch(/subtree/);
    },
    TEST_TIMEOUT_MS,
  );

  it("migrates in bounded steps, then has nothing left to do", async () => {
    expect(await schemaLine()).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/notion-index-sync migrate/),
    });
    const first = await cliJson<{ finished: boolean; scanned: number }>(
      cwd,
      "migrate",
      "--max-items",
      "20",
      "--json",
    );
    expect(first.finished).toBe(false);
    expect(first.scanned).toBeLessThan(fixtureItems.length);
    const rest = await jsonOf<{ finished: boolean; total: { migrated: number } }>((c) =>
      migrateCommand(c, { json: true }),
    );
    expect(rest.finished).toBe(true);
    expect(rest.total.migrated).toBeGreaterThan(0);
    expect(versionOneItems(await scanAll())).toEqual([]);
    expect(await schemaLine()).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/schema version 2 \(migrated /),
    });
    const again = await printedBy(() => migrateCommand(localConnection(), {}));
    expect(again).toMatch(/nothing to do/);
    const rescanned = await jsonOf<{ migrated: number }>((c) =>
      migrateCommand(c, { again: true, json: true }),
    );
    expect(rescanned.migrated).toBe(0);

    // The documents of before the upgrade (the one added above was removed again), each in its tenant and dataset.
    const after = await status();
    expect(after).toHaveLength(before.length);
    for (const document of after) {
      const old = before.find((d) => d.documentId === document.documentId);
      expect([old?.tenantId, old?.datasetId]).toEqual([document.tenantId, document.datasetId]);
    }
    expect((await status("--dataset", "acme-wiki"))[0]?.indexingStatus).toBe("completed");
    await cli(cwd, "sync", "--wait");
    expect((await status()).every((document) => document.indexingStatus === "completed")).toBe(true);
  }, 300_000);
});

describe("two tenants with the same dataset name", () => {
  it("keep their documents, vectors and settings apart", async () => {
    await ok(cli(cwd, "add", DEMO_PAGES.faq.id, "--tenant", "acme", "--dataset", "handbook", "--wait"));
    const ofAcme = await status("--dataset", "handbook", "--tenant", "acme");
    const ofDefault = await status("--dataset", "handbook");
    expect(ofAcme.map((document) => document.tenantId)).toEqual(["acme"]);
    expect(ofDefault.every((document) => document.tenantId === "default")).toBe(true);
    expect(ofDefault.map((d) => d.documentId)).not.toContain(ofAcme[0]?.documentId);

    // The default tenant's rule (custom, 90 tokens) is not acme's (created with the automatic rule).
    const shown = await jsonOf<{ dataset: { processRule: { mode: string } } }>((c) =>
      datasetShowCommand(c, "handbook", { tenant: "acme", json: true }),
    );
    expect(shown.dataset.processRule.mode).toBe("automatic");

    // A query of acme's handbook finds only acme's document, and the other way round.
    const acmeMatches = await jsonOf<{ matches: { documentId: string }[] }>((c) =>
      queryCommand(c, "product", { tenant: "acme", dataset: ["handbook"], topK: 5, json: true }),
    );
    expect(new Set(acmeMatches.matches.map((match) => match.documentId))).toEqual(
      new Set([ofAcme[0]?.documentId]),
    );
    const defaultMatches = await jsonOf<{ matches: { documentId: string }[] }>((c) =>
      queryCommand(c, "product", { dataset: ["handbook"], topK: 5, json: true }),
    );
    for (const match of defaultMatches.matches) expect(match.documentId).not.toBe(ofAcme[0]?.documentId);

    // Pausing one tenant's dataset leaves the other's alone.
    await printedBy(() => datasetPauseCommand(localConnection(), "handbook", { tenant: "acme" }));
    const defaultShown = await jsonOf<{ dataset: { paused?: boolean } }>((c) =>
      datasetShowCommand(c, "handbook", { json: true }),
    );
    expect(defaultShown.dataset.paused).toBeUndefined();
    await printedBy(() => datasetResumeCommand(localConnection(), "handbook", { tenant: "acme" }));
  }, 300_000);

  it(
    "asks which tenant when a name is not the default tenant's and two others have it",
    async () => {
      await ok(cli(cwd, "add", DEMO_PAGES.faq.id, "--tenant", "acme", "--dataset", "shared-name", "--wait"));
      const added = await cli(
        cwd,
        "add",
        DEMO_PAGES.runbook.id,
        "--tenant",
        "globex",
        "--dataset",
        "shared-name",
      );
      expect(added.code).toBe(0);
      expectOneLineFailure(
        await cli(cwd, "status", "--dataset", "shared-name"),
        /exists in tenants acme, globex: say which with --tenant/,
      );
      expect(await status("--dataset", "shared-name", "--tenant", "globex")).toHaveLength(1);
    },
    TEST_TIMEOUT_MS,
  );
});
