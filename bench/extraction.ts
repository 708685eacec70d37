/**
 * Benchmark: extraction throughput and memory (issue 3). A page of 5,000 blocks (sections of
 * headings, paragraphs, nested lists, code, tables, toggles; every table row and nested item counts
 * as a block) is served by the Notion stand-in on 127.0.0.1 to the real `@notionhq/client`, and read
 * whole by the adapter: blocks per second, requests, and the process's peak RSS (the stand-in runs in
 * the same process, so the figure is an upper bound for extraction alone; goal ≤ 256 MB). The chunking
 * of the result is timed too. Figures are medians of `--runs` runs.
 *
 *   npm run bench:extraction [-- --json] [--runs N] [--blocks N]
 */
import { parseArgs } from "node:util";
import { createNotionConnector } from "../lib/adapters/notion/notion-source.js";
import { splitBlocks } from "../lib/chunking/split.js";
import { AUTOMATIC_RULE } from "../lib/core/model.js";
import {
  type BlockSpec,
  block,
  bulleted,
  code,
  heading2,
  paragraph,
  text,
  toggle,
} from "../local/notion-blocks.js";
import { startNotionServer } from "../local/notion-server.js";
import { NotionWorkspace } from "../local/notion-workspace.js";

const { values: flags } = parseArgs({
  options: {
    json: { type: "boolean" },
    runs: { type: "string", default: "3" },
    blocks: { type: "string", default: "5000" },
  },
});
const RUNS = Number(flags.runs);
const BLOCKS = Number(flags.blocks);
/** Extraction itself is measured here, not Notion's rate limit (that is bench:scale's). */
const UNLIMITED = { requestsPerSecond: 10_000, burst: 10_000 };
const TOKEN = "bench-token";

// ---------------------------------------------------------------- the page

const SENTENCE =
  "The on-call engineer checks the dashboards, rolls back the last deploy if latency rose, and writes down what they saw.";

/** One section of 25 blocks: a heading, prose, a nested list, code, a table and a toggle. */
function section(index: number): BlockSpec[] {
  const row = (...cells: string[]) => block("table_row", { cells: cells.map((cell) => [text(cell)]) });
  return [
    heading2(`Section ${index}`),
    paragraph(`${index}. ${SENTENCE} ${SENTENCE}`),
    paragraph(`${SENTENCE} See ticket OPS-${index}.`),
    bulleted(`Step one of ${index}`, [bulleted("Open the incident channel"), bulleted("Page the owner")]),
    bulleted(`Step two of ${index}`, [bulleted("Roll back", [bulleted("Confirm the version")])]),
    code(`kubectl -n app${index} rollout undo deployment/api\nkubectl -n app${index} get pods -w`, "bash"),
    block("table", { table_width: 3, has_column_header: true, has_row_header: false }, [
      row("Service", "Owner", "Tier"),
      row(`api-${index}`, "Payments", "1"),
      row(`worker-${index}`, "Platform", "2"),
      row(`cron-${index}`, "Platform", "3"),
    ]),
    toggle(`Details of ${index}`, [paragraph(SENTENCE), paragraph(SENTENCE), paragraph(SENTENCE)]),
    paragraph(SENTENCE),
    paragraph(SENTENCE),
  ];
}

function countBlocks(specs: BlockSpec[]): number {
  return specs.reduce((total, spec) => total + 1 + countBlocks(spec.children ?? []), 0);
}

function pageBlocks(total: number): BlockSpec[] {
  const blocks: BlockSpec[] = [];
  for (let index = 1; countBlocks(blocks) + countBlocks(section(index)) <= total; index += 1) {
    blocks.push(...section(index));
  }
  while (countBlocks(blocks) < total) blocks.push(paragraph(SENTENCE));
  return blocks;
}

// ---------------------------------------------------------------- the run

const workspace = new NotionWorkspace();
const blocks = pageBlocks(BLOCKS);
const pageId = workspace.addPage({ title: "Big runbook", blocks });
const server = await startNotionServer({ workspace, tokens: [TOKEN], rateLimit: false });
const source = createNotionConnector({ baseUrl: server.url, rate: UNLIMITED }).open(TOKEN);
const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
const rssBefore = mb(process.memoryUsage().rss);

const runs: { ms: number; chunkMs: number; blocks: number; requests: number; chunks: number }[] = [];
for (let run = 0; run < RUNS; run += 1) {
  const started = performance.now();
  const extracted = await source.extract(pageId, "page");
  const extractedAt = performance.now();
  const chunks = splitBlocks(extracted.blocks, AUTOMATIC_RULE);
  runs.push({
    ms: extractedAt - started,
    chunkMs: performance.now() - extractedAt,
    blocks: extracted.stats.blocks,
    requests: extracted.stats.requests,
    chunks: chunks.length,
  });
}
await server.close();

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const last = runs.at(-1) as (typeof runs)[number];
const ms = median(runs.map((run) => run.ms));
const result = {
  blocks: last.blocks,
  requests: last.requests,
  chunks: last.chunks,
  extractionMs: Math.round(ms),
  blocksPerSecond: Math.round(last.blocks / (ms / 1000)),
  chunkingMs: Math.round(median(runs.map((run) => run.chunkMs))),
  rssBeforeMb: rssBefore,
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  goalPeakRssMb: 256,
};

if (flags.json) {
  process.stdout.write(`${JSON.stringify({ runs: RUNS, ...result }, null, 2)}\n`);
} else {
  process.stdout.write(
    [
      `page of ${result.blocks} blocks through the real client and the stand-in (median of ${RUNS} runs):`,
      `  extraction  ${result.extractionMs} ms, ${result.blocksPerSecond} blocks/s, ${result.requests} requests`,
      `  chunking    ${result.chunkingMs} ms, ${result.chunks} chunks`,
      `  memory      RSS ${result.rssBeforeMb} MB before, peak ${result.peakRssMb} MB (goal ≤ ${result.goalPeakRssMb} MB): ${result.peakRssMb <= result.goalPeakRssMb ? "met" : "MISSED"}`,
      "",
    ].join("\n"),
  );
}
