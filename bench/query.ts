/**
 * What the retrieval API adds to a search, on the local stack: p50 and p95 of
 * - direct: what an application's own code would do — embed the question, query Pinecone (the
 *   stand-in) with a tenant filter; no key, no rate, no generation check;
 * - API: `POST /v1/query` through the typed client over HTTP on 127.0.0.1 — key lookup and hash
 *   compare, the key's rate booking, the body's validation, the same embed and Pinecone query (with
 *   its over-fetch), the documents' batch read for the generation rule, the JSON answer.
 * Both run in one process, interleaved query by query, so noise falls on both alike.
 *
 *   npm run bench:query                    (PAGES=100 QUERIES=300 TOPK=5)
 *   PAGES=300 QUERIES=1000 npm run bench:query -- --json
 *
 * Goal (issue 17): the API adds at most 15 ms at p50.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDynamoDbApiKeyStore } from "../lib/adapters/aws/dynamodb-api-key-store.js";
import { createApiKey } from "../lib/cli/commands/apikey.js";
import { createQueryClient } from "../lib/client/query-client.js";
import { registerDocuments } from "../lib/documents/register.js";
import { heading2, paragraph } from "../local/notion-blocks.js";
import { NotionWorkspace } from "../local/notion-workspace.js";
import { startLocalStack } from "../local/stack.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// Every request still books its slot on the key's budget (that cost is measured); none is refused.
process.env.QUERY_REQUESTS_PER_SECOND = "10000";
process.env.QUERY_BURST = "10000";

const PAGES = Number(process.env.PAGES ?? 100);
const QUERIES = Number(process.env.QUERIES ?? 300);
const TOP_K = Number(process.env.TOPK ?? 5);
const JSON_OUTPUT = process.argv.includes("--json");
const TOPICS = ["billing", "on-call", "deploys", "onboarding", "security", "databases", "hiring", "travel"];

function log(line: string) {
  if (!JSON_OUTPUT) process.stderr.write(`${line}\n`);
}

function pageBlocks(index: number) {
  const topic = TOPICS[index % TOPICS.length] as string;
  return Array.from({ length: 4 }, (_, section) => [
    heading2(`${topic} ${index}.${section}`),
    paragraph(
      `How the ${topic} process works in team ${index}, section ${section}: who owns it, what to check first, and where the runbook for ${topic} lives. `.repeat(
        3,
      ),
    ),
  ]).flat();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main() {
  const stateDir = await mkdtemp(join(tmpdir(), "nis-bench-query-"));
  const workspace = new NotionWorkspace();
  const pageIds = Array.from({ length: PAGES }, (_, i) =>
    workspace.addPage({ title: `Team ${i} ${TOPICS[i % TOPICS.length]}`, blocks: pageBlocks(i) }),
  );
  const stack = await startLocalStack({
    stateDir,
    persist: false,
    writeInfo: false,
    workspace,
    sweepIntervalSeconds: 0,
    logLevel: "SILENT",
    webhooks: false,
    // Indexing is the set-up, not what is measured: Notion's rate ×50 makes it quick.
    timeScale: 50,
  });
  try {
    const { adapters, info } = stack;
    const started = Date.now();
    await registerDocuments(
      { store: adapters.store, syncQueue: adapters.syncQueue, clock: { now: () => new Date() } },
      { ...info.defaults, pageIds, embeddingModel: adapters.embedder.model },
    );
    await stack.waitForIdle({ timeoutMs: 600_000 });
    const dataset = await adapters.store.getDataset(info.defaults.tenantId, info.defaults.datasetId);
    const namespace = dataset?.vectorNamespace as string;
    const vectors = (await stack.pinecone?.ids(namespace))?.length ?? 0;
    log(`indexed ${PAGES} pages (${vectors} vectors) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const keys = createDynamoDbApiKeyStore(adapters.dynamodb, info.tableName);
    const { key } = await createApiKey(keys, { tenantId: info.defaults.tenantId, name: "bench" });
    const client = createQueryClient({ url: info.queryUrl as string, apiKey: key });
    const questions = Array.from(
      { length: QUERIES },
      (_, i) => `where is the runbook for ${TOPICS[i % TOPICS.length]} in team ${i % PAGES}?`,
    );
    const direct = async (question: string) => {
      const vector = await adapters.embedder.embedQuery(question);
      return adapters.vectors.query(namespace, vector, {
        topK: TOP_K,
        filter: { tenantId: info.defaults.tenantId },
      });
    };
    const viaApi = (question: string) =>
      client.query({ query: question, datasetId: info.defaults.datasetId, topK: TOP_K });

    // Warm both paths (connections, JIT, the embedder's first call).
    for (const question of questions.slice(0, 20)) {
      await direct(question);
      await viaApi(question);
    }
    const times = { direct: [] as number[], api: [] as number[] };
    for (const [i, question] of questions.entries()) {
      // Alternate which goes first, so neither always runs on a warmer cache.
      const order = i % 2 === 0 ? (["direct", "api"] as const) : (["api", "direct"] as const);
      for (const path of order) {
        const t0 = performance.now();
        const answer = path === "direct" ? await direct(question) : (await viaApi(question)).matches;
        times[path].push(performance.now() - t0);
        if (answer.length === 0) throw new Error(`${path} found nothing for "${question}"`);
      }
    }
    const rows = (["direct", "api"] as const).map((path) => {
      const sorted = [...times[path]].sort((a, b) => a - b);
      return { path, p50: percentile(sorted, 50), p95: percentile(sorted, 95), queries: sorted.length };
    });
    const [directRow, apiRow] = rows as [(typeof rows)[0], (typeof rows)[0]];
    const added = { p50: apiRow.p50 - directRow.p50, p95: apiRow.p95 - directRow.p95 };
    if (JSON_OUTPUT) {
      process.stdout.write(
        `${JSON.stringify({ pages: PAGES, vectors, topK: TOP_K, rows, added }, null, 2)}\n`,
      );
      return;
    }
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    process.stdout.write(
      `\n${PAGES} pages, ${vectors} vectors, topK ${TOP_K}, ${QUERIES} queries each\n\n| path | p50 | p95 |\n| --- | ---: | ---: |\n`,
    );
    const label = { direct: "direct (embed + Pinecone query)", api: "API (POST /v1/query, typed client)" };
    for (const row of rows)
      process.stdout.write(`| ${label[row.path]} | ${ms(row.p50)} | ${ms(row.p95)} |\n`);
    process.stdout.write(
      `| added by the API | ${ms(added.p50)} | ${ms(added.p95)} |\n\ngoal: ≤ 15 ms added at p50 — ${added.p50 <= 15 ? "met" : "NOT met"}\n`,
    );
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

await main();
