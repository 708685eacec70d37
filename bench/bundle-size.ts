/**
 * Bundle budget: builds every function's bundle with the stack's own esbuild settings
 * (infra/esbuild-options.ts), then reports per function
 * - the minified size against the 1 MB goal, its gzip size (about what the zip upload weighs) and
 *   the packages that weigh most (from esbuild's metafile);
 * - cold-start module initialisation: importing the bundle in a fresh Node process, compared in the
 *   same run with importing an empty module (the median of several processes each).
 * The handlers initialise for real (configuration, clients, the index function's cold-start
 * checks) against a Pinecone stand-in on 127.0.0.1, so no remote latency is counted.
 *
 *   npm run bench:bundle            # table
 *   npm run bench:bundle -- --json  # one JSON document
 *   npm run bench:bundle -- --runs 9
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { esbuildOptionsFor } from "../infra/esbuild-options.js";
import { startPineconeServer } from "../local/pinecone-server.js";

const execFileAsync = promisify(execFile);
const BUDGET_BYTES = 1024 * 1024;
const FUNCTIONS = [
  { name: "sync", entry: "functions/sync/handler.ts" },
  { name: "index", entry: "functions/index/handler.ts" },
  { name: "webhook", entry: "functions/webhook/handler.ts" },
  { name: "query", entry: "functions/query/handler.ts" },
  { name: "oauth", entry: "functions/oauth/handler.ts" },
] as const;

interface BundleReport {
  name: string;
  bytes: number;
  gzipBytes: number;
  withinBudget: boolean;
  heaviest: { module: string; bytes: number }[];
  initMs: { median: number; min: number; overEmptyMs: number } | { error: string };
}

const args = process.argv.slice(2);
const json = args.includes("--json");
const runs = Number(args[args.indexOf("--runs") + 1]) || 7;

const workDir = await mkdtemp(path.join(tmpdir(), "nis-bundle-"));
const pinecone = await startPineconeServer({ dimension: 384 });
try {
  const emptyModule = path.join(workDir, "empty.mjs");
  await writeFile(emptyModule, "export {};\n");
  const env = handlerEnvironment(pinecone.url);
  const empty = await importTimes(emptyModule, env, runs);
  const reports: BundleReport[] = [];
  for (const fn of FUNCTIONS) reports.push(await measure(fn, workDir, env, empty));
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ budgetBytes: BUDGET_BYTES, runs, emptyImportMs: empty, functions: reports }, null, 2)}\n`,
    );
  } else {
    printReport(reports, empty, runs);
  }
} finally {
  await pinecone.close();
  await rm(workDir, { recursive: true, force: true });
}

async function measure(
  fn: (typeof FUNCTIONS)[number],
  dir: string,
  env: NodeJS.ProcessEnv,
  empty: { median: number },
): Promise<BundleReport> {
  const outdir = path.join(dir, fn.name);
  const options = esbuildOptionsFor(fn.entry, outdir);
  const result = await build({ ...options, metafile: true });
  const outfile = options.outfile as string;
  const code = await readFile(outfile);
  let initMs: BundleReport["initMs"];
  try {
    const times = await importTimes(outfile, env, runs);
    initMs = { ...times, overEmptyMs: round(times.median - empty.median) };
  } catch (error) {
    // The first lines only, and short: a failing import quotes a line of the minified bundle.
    initMs = { error: (error as Error).message.split("\n").slice(0, 3).join(" ").slice(0, 300) };
  }
  return {
    name: fn.name,
    bytes: (await stat(outfile)).size,
    gzipBytes: gzipSync(code).length,
    withinBudget: code.length <= BUDGET_BYTES,
    heaviest: heaviestPackages(result.metafile, 6),
    initMs,
  };
}

/** Imports a module in `count` fresh Node processes; each reports its own import time. */
async function importTimes(file: string, env: NodeJS.ProcessEnv, count: number) {
  const probe =
    "const t = process.hrtime.bigint(); await import(process.argv[1]); " +
    "process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6)); process.exit(0);";
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const { stdout } = await execFileAsync(process.execPath, ["--input-type=module", "-e", probe, file], {
      env,
    });
    times.push(Number(stdout));
  }
  times.sort((a, b) => a - b);
  return { median: round(times[Math.floor(times.length / 2)] ?? 0), min: round(times[0] ?? 0) };
}

/** Bytes in the output per npm package (or per source folder of this project). */
function heaviestPackages(metafile: Metafile, count: number): { module: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg =
        /node_modules\/((@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split("/").slice(0, 2).join("/");
      totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([module, bytes]) => ({ module, bytes }));
}

/** What the stack sets, with plain values (no Secrets Manager here) and local endpoints. */
function handlerEnvironment(pineconeUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    POWERTOOLS_SERVICE_NAME: "notion-index-sync",
    POWERTOOLS_LOG_LEVEL: "ERROR",
    TABLE_NAME: "bench",
    DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
    SQS_ENDPOINT: "http://127.0.0.1:9",
    SYNC_QUEUE_URL: "http://127.0.0.1:9/000000000000/sync",
    INDEX_QUEUE_URL: "http://127.0.0.1:9/000000000000/index",
    SYNC_DEAD_LETTER_QUEUE_URL: "http://127.0.0.1:9/000000000000/sync-dlq",
    INDEX_DEAD_LETTER_QUEUE_URL: "http://127.0.0.1:9/000000000000/index-dlq",
    PINECONE_INDEX_HOST: pineconeUrl,
    PINECONE_CONTROLLER_HOST: pineconeUrl,
    PINECONE_API_KEY: "bench",
    EMBEDDING_PROVIDER: "local",
    // The cache would read DynamoDB at cold start if it did; the bench measures module init only.
    EMBEDDING_CACHE: "off",
    // The webhook function's own settings.
    WEBHOOK_TOKEN_SECRET_PREFIX: "notion-index-sync/bench/webhook/",
    // The OAuth function's own settings (its secrets are read at the first request, not at init).
    NOTION_TOKEN_SECRET_PREFIX: "notion-index-sync/bench/notion/",
    OAUTH_CLIENT_SECRET_ID: "notion-index-sync/bench/oauth-client",
    OAUTH_STATE_KEY_SECRET_ID: "notion-index-sync/bench/oauth-state-key",
    SECRETS_MANAGER_ENDPOINT: "http://127.0.0.1:9",
  };
}

function printReport(reports: BundleReport[], empty: { median: number; min: number }, count: number): void {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  const lines = [
    `bundle budget: ${kb(BUDGET_BYTES)} minified per function; import times are medians of ${count} fresh processes`,
    `empty module import: ${empty.median} ms (min ${empty.min} ms)`,
    "",
  ];
  for (const report of reports) {
    const init =
      "error" in report.initMs
        ? `init failed: ${report.initMs.error}`
        : `import ${report.initMs.median} ms (min ${report.initMs.min}), ${report.initMs.overEmptyMs} ms over the empty module`;
    lines.push(
      `${report.name.padEnd(6)} ${kb(report.bytes).padStart(8)} minified  ${kb(report.gzipBytes).padStart(7)} gzip  ${report.withinBudget ? "within budget" : "OVER budget"}`,
      `       ${init}`,
      `       heaviest: ${report.heaviest.map((h) => `${h.module} ${kb(h.bytes)}`).join(", ")}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
