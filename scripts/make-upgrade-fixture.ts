/**
 * Writes test/fixtures/upgrade/: the table and the Pinecone stand-in's state as a stack of an older
 * version left them, for test/e2e/upgrade.test.ts (docs/upgrades.md). It drives the CLI as a user
 * would: `dev` (the demo), then datasets, a second tenant, a followed subtree, a paused document and
 * keys; then it dumps every item (DynamoDB JSON, binary as base64) and copies `pinecone.json`.
 *
 * The committed fixture was made at commit 7f095d3 (schema version 1, datasets keyed by id alone).
 * Running this script again makes a fixture of the CURRENT version: do that only to add a fixture
 * for a newer schema (e.g. `--out test/fixtures/upgrade-v2`), never to replace the old one.
 *
 *   npx tsx scripts/make-upgrade-fixture.ts [--out test/fixtures/upgrade]
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DEMO_PAGES, DEMO_TOKEN } from "../local/demo-workspace.js";

const run = promisify(execFile);
const BIN = fileURLToPath(new URL("../bin/notion-index-sync.js", import.meta.url));
const outIndex = process.argv.indexOf("--out");
const OUT = outIndex > 0 ? (process.argv[outIndex + 1] ?? "") : "test/fixtures/upgrade";

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: "ERROR", ...extra };
  for (const name of ["NOTION_TOKEN", "PINECONE_API_KEY", "NOTION_INDEX_SYNC_STACK", "TABLE_NAME"]) {
    if (!(name in extra)) delete clean[name];
  }
  return clean;
}

async function cli(cwd: string, args: string[], extra: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], { cwd, env: env(extra), timeout: 180_000 });
  process.stdout.write(`$ notion-index-sync ${args.join(" ")}\n`);
  return stdout;
}

async function startDev(cwd: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, "dev", "--sweep-interval", "0"], {
    cwd,
    env: env(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const started = Date.now();
  while (!/^Running/m.test(output)) {
    if (child.exitCode !== null) throw new Error(`dev exited:\n${output}`);
    if (Date.now() - started > 120_000) throw new Error(`dev was not ready:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return child;
}

async function main(): Promise<void> {
  const cwd = await mkdtemp(join(tmpdir(), "upgrade-fixture-"));
  const dev = await startDev(cwd);
  try {
    await cli(cwd, [
      "dataset",
      "create",
      "handbook",
      "--rule",
      "custom",
      "--max-tokens",
      "120",
      "--overlap",
      "10",
    ]);
    await cli(cwd, ["add", DEMO_PAGES.handbook.id, DEMO_PAGES.runbook.id, "--dataset", "handbook", "--wait"]);
    await cli(cwd, ["connect", "--tenant", "acme", "--workspace", "default"], { NOTION_TOKEN: DEMO_TOKEN });
    await cli(cwd, ["add", DEMO_PAGES.faq.id, "--tenant", "acme", "--dataset", "acme-wiki", "--wait"]);
    await cli(cwd, ["add", DEMO_PAGES.handbook.id, "--follow", "--dataset", "tree", "--wait"]);
    const status = JSON.parse(await cli(cwd, ["status", "--dataset", "handbook", "--json"])) as {
      documents: { documentId: string; title: string }[];
    };
    const runbook = status.documents.find((document) => document.title === DEMO_PAGES.runbook.title);
    if (!runbook) throw new Error("the runbook was not registered in `handbook`");
    await cli(cwd, ["pause", runbook.documentId]);
    await cli(cwd, ["apikey", "create", "--tenant", "acme", "--dataset", "acme-wiki", "--name", "wiki"]);

    const info = JSON.parse(await readFile(join(cwd, ".notion-index-sync", "local.json"), "utf8")) as {
      dynamodbEndpoint: string;
      tableName: string;
      region: string;
    };
    const dynamodb = new DynamoDBClient({
      endpoint: info.dynamodbEndpoint,
      region: info.region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(
        new ScanCommand({ TableName: info.tableName, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    dynamodb.destroy();
    // Sorted, so that the file diffs well; binary values (checkpoint parts, vectors) as base64.
    items.sort((a, b) => `${a.pk?.S}|${a.sk?.S}`.localeCompare(`${b.pk?.S}|${b.sk?.S}`));
    await mkdir(OUT, { recursive: true });
    await writeFile(
      join(OUT, "table.json"),
      `${JSON.stringify(items, (_key, value) => (value instanceof Uint8Array ? { base64: Buffer.from(value).toString("base64") } : value), 1)}\n`,
    );
    process.stdout.write(`${items.length} items written to ${join(OUT, "table.json")}\n`);
  } finally {
    dev.kill("SIGINT");
    await new Promise((resolve) => dev.once("exit", resolve));
  }
  await copyFile(join(cwd, ".notion-index-sync", "pinecone.json"), join(OUT, "pinecone.json"));
  await rm(cwd, { recursive: true, force: true });
}

await main();
