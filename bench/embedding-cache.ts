/**
 * Benchmark: what the content-hash embedding cache saves on a re-sync (issue 4).
 *
 * A ~200-chunk Notion page goes through the real pipeline (sync → index, real adapters, stand-ins
 * on 127.0.0.1, Pinecone Inference's `/embed` as the provider) with the cache on and with it off:
 *   1. first index of the page;
 *   2. one paragraph edited: a sentence rewritten at about the same length, then re-synced;
 *   3. the same paragraph edited again: a sentence added (~30 tokens longer), then re-synced;
 *   4. the page touched in Notion without a change (a new last_edited_time, the same text): a re-index
 *      forced through the whole pipeline;
 *   5. the page renamed.
 * Chunks are embedded after their page title and heading path (lib/indexing/embedded-text.ts); the
 * same run with the cache on embeds them alone, to show what that context costs.
 * "Texts embedded" is counted by the provider stand-in itself (inputs received at `/embed`); the
 * document's `lastRun` (what `status --json` shows) must agree with it.
 *
 *   npm run bench:embedding [-- --json]
 */
import type { BlockSpec } from "../local/notion-blocks.js";
import { heading2, paragraph } from "../local/notion-blocks.js";
import { startRig } from "./pipeline-rig.js";

const PARAGRAPHS = 1430;
const EDITED_PARAGRAPH = 700;
const DIMENSION = 384;

// ---------------------------------------------------------------- the page

const WORDS = (
  "incident runbook deploy rollback database replica failover alert pager escalation latency budget " +
  "queue worker retry backoff cache index vector segment tenant dataset quota throttle region backup " +
  "restore snapshot migration schema review approval release canary metric dashboard owner handover " +
  "customer invoice refund contract policy holiday onboarding laptop access badge office travel"
).split(" ");

/** A deterministic pseudo-random sentence source, so every run indexes the same page. */
function sentences(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state;
  };
  return (count: number) =>
    Array.from({ length: count }, () => {
      const words = Array.from({ length: 12 }, () => WORDS[next() % WORDS.length]);
      return `${words.join(" ")}.`;
    }).join(" ");
}

function pageBlocks(edit?: { paragraph: number; text: string }): BlockSpec[] {
  const text = sentences(42);
  const blocks: BlockSpec[] = [];
  for (let i = 0; i < PARAGRAPHS; i++) {
    if (i % 25 === 0) blocks.push(heading2(`Section ${i / 25 + 1}`));
    const content = `Note ${i}: ${text(4)}`;
    blocks.push(paragraph(edit?.paragraph === i ? edit.text : content));
  }
  return blocks;
}

const REWRITTEN =
  "after the outage the team rewrote this step to page the database owner before any failover";
const ADDED = "then check the replica lag, call the vendor and write a summary for the weekly review";

/** The edited paragraph: its second sentence rewritten, and optionally one more sentence after it. */
function editedParagraph(addSentence: boolean): string {
  const original = pageBlocks()
    .filter((block) => block.type === "paragraph")
    .map((block) => JSON.stringify(block))[EDITED_PARAGRAPH];
  const parts = (original?.match(/Note \d+: [^"]*/)?.[0] ?? "").split(". ");
  parts[1] = addSentence ? `${REWRITTEN}. ${ADDED}` : REWRITTEN;
  return parts.join(". ");
}

// ---------------------------------------------------------------- one scenario

interface Step {
  step: string;
  segments: number;
  embedded: number;
  cached: number;
  tokens: number;
  embedRequests: number;
  ms: number;
}

async function scenario(cache: "on" | "off", embedContext = true): Promise<Step[]> {
  const rig = await startRig({
    embedContext,
    dimension: DIMENSION,
    embedding: {
      EMBEDDING_PROVIDER: "pinecone",
      EMBEDDING_MODEL: "llama-text-embed-v2",
      EMBEDDING_DIMENSION: String(DIMENSION),
      EMBEDDING_CACHE: cache,
    },
  });
  try {
    const pageId = rig.workspace.addPage({ title: "Operations handbook", blocks: pageBlocks() });
    // Past the minute of the last edit: the content read is certain (rule 5), so no re-check confuses the count.
    rig.clock.advance(61_000);
    const documentId = await rig.register(pageId);
    const steps: Step[] = [];

    const run = async (step: string, change: () => void) => {
      change();
      rig.clock.advance(61_000);
      const callsBefore = rig.pinecone.embedCalls();
      const started = performance.now();
      const { indexed } = await rig.syncAndIndex(documentId);
      const ms = performance.now() - started;
      const calls = rig.pinecone.embedCalls().slice(callsBefore.length);
      const document = await rig.adapters.store.getDocument(documentId);
      const sent = calls.reduce((sum, call) => sum + call.inputs, 0);
      if (indexed[0]?.outcome !== "completed")
        throw new Error(`${step}: index outcome ${indexed[0]?.outcome}`);
      if (document?.lastRun?.embedded !== sent) {
        throw new Error(
          `${step}: lastRun.embedded ${document?.lastRun?.embedded} but the provider saw ${sent} texts`,
        );
      }
      steps.push({
        step,
        segments: document.segmentCount,
        embedded: sent,
        cached: document.lastRun.cached,
        tokens: document.lastRun.tokens,
        embedRequests: calls.length,
        ms: Math.round(ms),
      });
    };

    await run("first index", () => undefined);
    const edit = (addSentence: boolean) => () =>
      rig.workspace.editPage(
        pageId,
        pageBlocks({ paragraph: EDITED_PARAGRAPH, text: editedParagraph(addSentence) }),
      );
    await run("a sentence rewritten (same length)", edit(false));
    await run("a sentence added (+~30 tokens)", edit(true));
    await run("forced re-sync, text unchanged", edit(true));
    await run("page renamed", () => rig.workspace.setTitle(pageId, "Operations handbook (2026)"));
    return steps;
  } finally {
    await rig.close();
  }
}

// ---------------------------------------------------------------- report

function table(withCache: Step[], withoutCache: Step[], noContext: Step[]): string {
  const rows = withCache.map((step, i) => {
    const off = withoutCache[i];
    const bare = noContext[i];
    return `| ${step.step} | ${step.segments} | ${off?.embedded ?? "?"} | ${step.embedded} | ${step.cached} | ${bare?.embedded ?? "?"} | ${off?.tokens ?? "?"} | ${step.tokens} | ${bare?.tokens ?? "?"} | ${off?.ms ?? "?"} | ${step.ms} |`;
  });
  return [
    "| step | chunks | texts embedded, no cache | texts embedded, cache | from cache | texts embedded, cache, no context | tokens, no cache | tokens, cache | tokens, cache, no context | ms, no cache | ms, cache |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

const withoutCache = await scenario("off");
const withCache = await scenario("on");
const noContext = await scenario("on", false);
if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ withCache, withoutCache, noContext }));
} else {
  console.log(table(withCache, withoutCache, noContext));
  const [, rewritten, added, forced] = withCache.map((step) => step.embedded);
  console.log(
    `\ngoal: ≤ 3 texts re-embedded after a one-paragraph edit (got ${rewritten} for a rewritten sentence, ` +
      `${added} for an added one), 0 on a forced re-sync (got ${forced})`,
  );
}
