/**
 * Benchmark: memory on huge pages, up to the extraction limits (issue 7, Security). The Notion
 * stand-in serves each page from this process; a fresh child process reads it with the real client
 * and the adapter (extraction, then cleaning and splitting with the automatic rule) and reports its own
 * peak RSS, so each figure is one page's, not the largest so far. Pages grow in blocks up to the block
 * limit (20,000) and one past it, and in characters (Notion's largest paragraphs, 200,000 characters
 * each) up to the character limit (10,000,000) and one past it. Figures, not assertions.
 *
 *   npx tsx bench/huge-page.ts [--json]
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { createNotionConnector } from "../lib/adapters/notion/notion-source.js";
import { cleanText } from "../lib/chunking/clean.js";
import { splitBlocks } from "../lib/chunking/split.js";
import { AUTOMATIC_RULE } from "../lib/core/model.js";
import { type BlockSpec, paragraph, text } from "../local/notion-blocks.js";
import { startNotionServer } from "../local/notion-server.js";
import { NotionWorkspace } from "../local/notion-workspace.js";

const { values: flags } = parseArgs({
  options: {
    json: { type: "boolean" },
    child: { type: "boolean" },
    url: { type: "string" },
    page: { type: "string" },
  },
});
/** Extraction itself is measured here, not Notion's rate limit (that is bench:scale's). */
const UNLIMITED = { requestsPerSecond: 10_000, burst: 10_000 };
const TOKEN = "bench-token";
const SENTENCE = "The on-call engineer checks the dashboards and rolls back the last deploy if latency rose.";
const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));

interface Figure {
  blocks: number;
  chars: number;
  outcome: string;
  chunks: number;
  seconds: number;
  peakRssMb: number;
}

if (flags.child) {
  // One page, read and split: this process's peak RSS is the figure.
  const source = createNotionConnector({ baseUrl: flags.url, rate: UNLIMITED }).open(TOKEN);
  const started = performance.now();
  let figure: Omit<Figure, "peakRssMb">;
  try {
    const extracted = await source.extract(flags.page as string, "page");
    const cleaned = extracted.blocks.map((block) => ({
      ...block,
      text: cleanText(block.text, AUTOMATIC_RULE),
    }));
    const chunks = splitBlocks(cleaned, AUTOMATIC_RULE);
    figure = {
      blocks: extracted.stats.blocks,
      chars: extracted.blocks.reduce((sum, block) => sum + block.text.length, 0),
      outcome: "completed",
      chunks: chunks.length,
      seconds: 0,
    };
  } catch (error) {
    figure = { blocks: 0, chars: 0, outcome: `error: ${(error as Error).message}`, chunks: 0, seconds: 0 };
  }
  figure.seconds = Math.round((performance.now() - started) / 100) / 10;
  process.stdout.write(
    JSON.stringify({ ...figure, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }),
  );
  process.exit(0);
}

function bigParagraph(index: number, chars: number): BlockSpec {
  const words = `${index}. ${SENTENCE} `.repeat(Math.ceil(chars / SENTENCE.length)).slice(0, chars);
  const items = [];
  for (let start = 0; start < words.length; start += 2_000)
    items.push(text(words.slice(start, start + 2_000)));
  return paragraph(items);
}

const workspace = new NotionWorkspace();
const pages: { label: string; pageId: string }[] = [];
for (const blocks of [0, 1_000, 5_000, 10_000, 20_000, 20_001]) {
  const specs = Array.from({ length: blocks }, (_, index) => paragraph(`${index}. ${SENTENCE}`));
  pages.push({
    label: `${blocks} blocks`,
    pageId: workspace.addPage({ title: `${blocks} blocks`, blocks: specs }),
  });
}
for (const paragraphs of [5, 25, 50, 51]) {
  const specs = Array.from({ length: paragraphs }, (_, index) => bigParagraph(index, 200_000));
  const label = `${paragraphs} × 200,000 characters`;
  pages.push({ label, pageId: workspace.addPage({ title: label, blocks: specs }) });
}
const server = await startNotionServer({ workspace, tokens: [TOKEN], rateLimit: false });

const results: (Figure & { page: string })[] = [];
const script = fileURLToPath(import.meta.url);
for (const { label, pageId } of pages) {
  // Asynchronously: the stand-in in this process must keep answering the child.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", script, "--child", "--url", server.url, "--page", pageId],
    { encoding: "utf8", maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NODE_NO_WARNINGS: "1" } },
  );
  results.push({ page: label, ...(JSON.parse(stdout) as Figure) });
}
await server.close();

if (flags.json) {
  process.stdout.write(
    `${JSON.stringify({ results, parentRssMb: mb(process.memoryUsage().rss) }, null, 2)}\n`,
  );
} else {
  const lines = results.map(
    (result) =>
      `  ${result.page.padEnd(28)} ${String(result.peakRssMb).padStart(5)} MB peak RSS  ${String(result.seconds).padStart(5)} s  ${result.outcome === "completed" ? `${result.chunks} chunks, ${result.chars} characters` : result.outcome}`,
  );
  process.stdout.write(
    `huge pages through the real client and the stand-in (one child process per page; limits 20,000 blocks, 10,000,000 characters):\n${lines.join("\n")}\n`,
  );
}
