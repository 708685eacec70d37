/**
 * Benchmark: our splitter against LangChain's RecursiveCharacterTextSplitter (issue 3), in one run, on
 * the same corpus of real Markdown: the files of at least 8 KB that ship in node_modules, sorted by path,
 * up to `--mb` megabytes, each file given whole to both splitters.
 *   - tokens: both cut at 500 tokens with 50 of overlap, sizes counted with gpt-tokenizer's cl100k_base
 *     (LangChain's length function is our own `countTokens`);
 *   - characters: both cut at 500 characters with 50 of overlap, size = `text.length`;
 *   - the floor: one tokenization pass over the same files (`countTokens` on each);
 *   - tokenizers: gpt-tokenizer against js-tiktoken, on the corpus cut into paragraphs and whole files.
 * Each figure is the median of `--runs` timed runs after one warm-up ("warm"), and also a run with
 * every token cache emptied before it ("cold": ours, and gpt-tokenizer's merge cache, which
 * LangChain's length function and the single pass use), after the code ran once on other Markdown
 * (files under 8 KB), so that "cold" is about caches, not about compiling code or loading tables. Size violations are chunks over the limit by
 * a fresh count (ours must have none). js-tiktoken, being slow, is timed over at most 3 runs.
 *
 *   npm run bench:chunking [-- --json] [--runs N] [--mb N]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import { clearMergeCache } from "gpt-tokenizer/encoding/cl100k_base";
import { getEncoding } from "js-tiktoken";
import { characterMeasure, clearTokenCache, tokenMeasure } from "../lib/chunking/measure.js";
import { splitBlocks } from "../lib/chunking/split.js";
import { countTokens } from "../lib/chunking/tokenizer.js";
import { AUTOMATIC_RULE } from "../lib/core/model.js";

const { values: flags } = parseArgs({
  options: {
    json: { type: "boolean" },
    runs: { type: "string", default: "7" },
    mb: { type: "string", default: "2" },
  },
});
const RUNS = Number(flags.runs);
const LIMIT = AUTOMATIC_RULE.maxTokens;
const OVERLAP = AUTOMATIC_RULE.overlap;

// ---------------------------------------------------------------- corpus

function markdownFiles(directory: string, large: boolean): string[] {
  const files = (readdirSync(directory, { recursive: true }) as string[])
    .filter((path) => path.endsWith(".md"))
    .map((path) => join(directory, path))
    .filter((path) => statSync(path).size >= 8 * 1024 === large);
  return files.sort();
}

function corpus(maxBytes: number, large = true): string[] {
  const texts: string[] = [];
  let bytes = 0;
  for (const file of markdownFiles("node_modules", large)) {
    if (bytes >= maxBytes) break;
    const text = readFileSync(file, "utf8");
    texts.push(text);
    bytes += Buffer.byteLength(text);
  }
  return texts;
}

const texts = corpus(Number(flags.mb) * 1024 * 1024);
const otherTexts = corpus(200 * 1024, false);
const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
const paragraphs = texts
  .flatMap((text) => text.split(/\n\s*\n/))
  .filter((paragraph) => paragraph.trim() !== "");

// ---------------------------------------------------------------- contenders

type Chunker = (input?: string[]) => Promise<string[]>;

const oursWith =
  (measure: typeof tokenMeasure): Chunker =>
  async (input = texts) =>
    input.flatMap((text, index) =>
      splitBlocks([{ blockId: `file-${index}`, text, headingPath: [], sourceUrl: "" }], AUTOMATIC_RULE, {
        measure,
      }).map((chunk) => chunk.content),
    );

const langChainWith = (lengthFunction?: (text: string) => number): Chunker => {
  const splitter = new RecursiveCharacterTextSplitter({
    chunkSize: LIMIT,
    chunkOverlap: OVERLAP,
    ...(lengthFunction === undefined ? {} : { lengthFunction }),
  });
  return async (input = texts) => (await Promise.all(input.map((text) => splitter.splitText(text)))).flat();
};

const tiktoken = getEncoding("cl100k_base");
const tiktokenCount = (text: string) => tiktoken.encode(text, [], []).length;

// ---------------------------------------------------------------- timing

/** One run after every token cache was emptied (the code having run once on other text). */
async function cold(work: (input?: string[]) => unknown): Promise<number> {
  await work(otherTexts);
  clearTokenCache();
  clearMergeCache();
  const started = performance.now();
  await work();
  return Math.round(performance.now() - started);
}

async function median(work: () => unknown, runs = RUNS): Promise<number> {
  await work();
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

const mbPerSecond = (ms: number) => bytes / (1024 * 1024) / (ms / 1000);

async function measureChunker(chunker: Chunker, size: (text: string) => number) {
  const coldMs = await cold(chunker);
  const ms = await median(chunker);
  const chunks = await chunker();
  return {
    coldMs,
    ms: Math.round(ms),
    mbPerSecond: Number(mbPerSecond(ms).toFixed(2)),
    chunks: chunks.length,
    violations: chunks.filter((chunk) => size(chunk) > LIMIT).length,
  };
}

const countEach =
  (items: string[], count: (text: string) => number) =>
  (input = items) => {
    let total = 0;
    for (const item of input) total += count(item);
    return total;
  };

const length = (text: string) => text.length;
const results = {
  corpus: {
    files: texts.length,
    megabytes: Number((bytes / (1024 * 1024)).toFixed(2)),
    paragraphs: paragraphs.length,
  },
  tokens: {
    ours: await measureChunker(oursWith(tokenMeasure), countTokens),
    langChain: await measureChunker(langChainWith(countTokens), countTokens),
    singlePassColdMs: await cold(countEach(texts, countTokens)),
    singlePassMs: Math.round(await median(countEach(texts, countTokens))),
    ourPreTokenPassMs: Math.round(await median(() => texts.map((text) => tokenMeasure.index(text).total))),
  },
  characters: {
    ours: await measureChunker(oursWith(characterMeasure), length),
    langChain: await measureChunker(langChainWith(), length),
  },
  tokenizers: {
    paragraphs: {
      gptTokenizerMs: Math.round(await median(countEach(paragraphs, countTokens))),
      jsTiktokenMs: Math.round(await median(countEach(paragraphs, tiktokenCount), Math.min(RUNS, 3))),
    },
    wholeFiles: {
      gptTokenizerMs: Math.round(await median(countEach(texts, countTokens))),
      jsTiktokenMs: Math.round(await median(countEach(texts, tiktokenCount), Math.min(RUNS, 3))),
    },
  },
};

const ratios = {
  oursOverLangChainTokens: Number(
    (results.tokens.ours.mbPerSecond / results.tokens.langChain.mbPerSecond).toFixed(2),
  ),
  oursOverLangChainTokensCold: Number(
    (results.tokens.langChain.coldMs / results.tokens.ours.coldMs).toFixed(2),
  ),
  oursOverSinglePass: Number((results.tokens.ours.ms / results.tokens.singlePassMs).toFixed(2)),
  oursOverSinglePassCold: Number((results.tokens.ours.coldMs / results.tokens.singlePassColdMs).toFixed(2)),
  oursOverLangChainCharacters: Number(
    (results.characters.ours.mbPerSecond / results.characters.langChain.mbPerSecond).toFixed(2),
  ),
  jsTiktokenOverGptTokenizerParagraphs: Number(
    (results.tokenizers.paragraphs.jsTiktokenMs / results.tokenizers.paragraphs.gptTokenizerMs).toFixed(1),
  ),
  jsTiktokenOverGptTokenizerFiles: Number(
    (results.tokenizers.wholeFiles.jsTiktokenMs / results.tokenizers.wholeFiles.gptTokenizerMs).toFixed(1),
  ),
};
const goals = {
  "≥ 3× LangChain with the same tokenizer":
    ratios.oursOverLangChainTokens >= 3 && ratios.oursOverLangChainTokensCold >= 3,
  "no slower than LangChain with characters": ratios.oursOverLangChainCharacters >= 1,
  "no size violations": results.tokens.ours.violations === 0 && results.characters.ours.violations === 0,
};

if (flags.json) {
  process.stdout.write(`${JSON.stringify({ runs: RUNS, ...results, ratios, goals }, null, 2)}\n`);
} else {
  const { corpus: c, tokens: t, characters: ch, tokenizers: tk } = results;
  const row = (
    name: string,
    r: { coldMs: number; ms: number; mbPerSecond: number; chunks: number; violations: number },
  ) =>
    `  ${name.padEnd(34)} ${String(r.ms).padStart(6)} ms  ${r.mbPerSecond.toFixed(2).padStart(6)} MB/s  (cold ${r.coldMs} ms)  ${String(r.chunks).padStart(6)} chunks  ${r.violations} over the limit`;
  const lines = [
    `corpus: ${c.files} Markdown files from node_modules, ${c.megabytes} MB (${c.paragraphs} paragraphs); median of ${RUNS} runs`,
    `tokens (cl100k_base, ${LIMIT} / ${OVERLAP}):`,
    row("ours", t.ours),
    row("LangChain RecursiveCharacter", t.langChain),
    `  ${"one tokenization pass (floor)".padEnd(34)} ${String(t.singlePassMs).padStart(6)} ms  ${mbPerSecond(t.singlePassMs).toFixed(2).padStart(6)} MB/s  (cold ${t.singlePassColdMs} ms)`,
    `  ${"our pre-token pass (what ours uses)".padEnd(34)} ${String(t.ourPreTokenPassMs).padStart(6)} ms  ${mbPerSecond(t.ourPreTokenPassMs).toFixed(2).padStart(6)} MB/s`,
    `  ours / LangChain: ${ratios.oursOverLangChainTokens}× warm, ${ratios.oursOverLangChainTokensCold}× cold   ours / one pass (time): ${ratios.oursOverSinglePass}× warm, ${ratios.oursOverSinglePassCold}× cold`,
    `characters (${LIMIT} / ${OVERLAP}):`,
    row("ours", ch.ours),
    row("LangChain RecursiveCharacter", ch.langChain),
    `  ours / LangChain: ${ratios.oursOverLangChainCharacters}×`,
    "tokenizers (cl100k_base, counting):",
    `  paragraphs   gpt-tokenizer ${tk.paragraphs.gptTokenizerMs} ms, js-tiktoken ${tk.paragraphs.jsTiktokenMs} ms (${ratios.jsTiktokenOverGptTokenizerParagraphs}×)`,
    `  whole files  gpt-tokenizer ${tk.wholeFiles.gptTokenizerMs} ms, js-tiktoken ${tk.wholeFiles.jsTiktokenMs} ms (${ratios.jsTiktokenOverGptTokenizerFiles}×)`,
    "goals:",
    ...Object.entries(goals).map(([goal, met]) => `  ${met ? "met " : "MISSED"}  ${goal}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
