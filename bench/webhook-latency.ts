/**
 * Edit-to-searchable latency on the local stack: from a content edit in the Notion stand-in to
 * the new text being returned by a query, over 20 edits (20 pages), with webhooks and with the
 * schedule alone, in one run.
 *
 *   npm run bench:webhook                     (debounce 30 s, sweep every 300 s: the deployed defaults)
 *   DEBOUNCE=30 SWEEP=300 EDITS=20 npm run bench:webhook -- --json
 *
 * - webhooks: the stand-in sends its signed event to the local webhook function (through the local
 *   function URL server), which enqueues a unit sync delayed by the debounce; the 20 edits start
 *   within 10 s of each other, so the run takes about one debounce, not 20.
 * - schedule only: the stand-in's subscription is paused; a sweep is sent every SWEEP seconds, as
 *   the deployed schedule and the local stack's sweep timer do, and each edit happens at a random
 *   moment of one sweep period.
 * The stand-in delivers an event at once; Notion itself may hold page.content_updated back for
 * aggregation (typically under a minute), which adds to the webhook figure in production.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULTS } from "../infra/config.js";
import { registerDocuments } from "../lib/documents/register.js";
import { paragraph } from "../local/notion-blocks.js";
import { NotionWorkspace } from "../local/notion-workspace.js";
import { type LocalStack, startLocalStack } from "../local/stack.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const EDITS = Number(process.env.EDITS ?? 20);
const DEBOUNCE_SECONDS = Number(process.env.DEBOUNCE ?? DEFAULTS.webhookDebounceSeconds);
const SWEEP_SECONDS = Number(process.env.SWEEP ?? 300);
const POLL_MS = 500;
const JSON_OUTPUT = process.argv.includes("--json");

const WORDS = [
  "amber",
  "basalt",
  "cobalt",
  "dahlia",
  "ember",
  "fjord",
  "garnet",
  "harbor",
  "indigo",
  "juniper",
];

/** A sentence no other page holds, so a query can tell when it is searchable. */
function uniqueSentence(run: string, index: number): string {
  const word = (n: number) => WORDS[n % WORDS.length] ?? "x";
  return `Latency probe ${run} ${index}: ${word(index)} ${word(index + 3)} ${word(index + 7)} zephyr${run}x${index} quokka${index}${run}.`;
}

async function main() {
  const stateDir = await mkdtemp(join(tmpdir(), "nis-bench-webhook-"));
  const workspace = new NotionWorkspace();
  const pageIds = Array.from({ length: EDITS }, (_, i) =>
    workspace.addPage({ title: `Bench page ${i}`, blocks: [paragraph(`The original text of page ${i}.`)] }),
  );
  const stack = await startLocalStack({
    stateDir,
    persist: false,
    writeInfo: false,
    workspace,
    sweepIntervalSeconds: 0,
    logLevel: "SILENT",
    webhooks: { debounceSeconds: DEBOUNCE_SECONDS },
  });
  try {
    const registered = await registerDocuments(
      { store: stack.adapters.store, syncQueue: stack.adapters.syncQueue, clock: { now: () => new Date() } },
      { ...stack.info.defaults, pageIds, embeddingModel: stack.adapters.embedder.model },
    );
    await stack.waitForIdle({ timeoutMs: 300_000 });
    const documentIds = registered.map((document) => document.documentId);
    log(`registered and indexed ${documentIds.length} pages`);

    log(`webhooks: ${EDITS} edits within 10 s, debounce ${DEBOUNCE_SECONDS} s …`);
    const webhook = await measure(stack, pageIds, documentIds, "w", () => Math.random() * 10_000);

    stack.webhooks?.pause();
    log(`schedule only: a sweep every ${SWEEP_SECONDS} s, ${EDITS} edits at random moments of a period …`);
    const sweeps = setInterval(() => {
      void stack.adapters.syncQueue.send({ type: "sweep" }).catch(() => undefined);
    }, SWEEP_SECONDS * 1000);
    let schedule: number[];
    try {
      schedule = await measure(stack, pageIds, documentIds, "s", () => Math.random() * SWEEP_SECONDS * 1000);
    } finally {
      clearInterval(sweeps);
    }

    const rows = [
      { path: `webhooks (debounce ${DEBOUNCE_SECONDS} s)`, ...summary(webhook) },
      { path: `schedule only (sweep every ${SWEEP_SECONDS} s)`, ...summary(schedule) },
    ];
    if (JSON_OUTPUT) {
      process.stdout.write(`${JSON.stringify({ edits: EDITS, rows, webhook, schedule }, null, 2)}\n`);
    } else {
      process.stdout.write(
        "\n| path | edits | median | p90 | min | max |\n| --- | ---: | ---: | ---: | ---: | ---: |\n",
      );
      for (const row of rows) {
        process.stdout.write(
          `| ${row.path} | ${row.count} | ${seconds(row.median)} | ${seconds(row.p90)} | ${seconds(row.min)} | ${seconds(row.max)} |\n`,
        );
      }
    }
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Edits every page once (each at its own offset) and times each until a query returns its new text. */
async function measure(
  stack: LocalStack,
  pageIds: string[],
  documentIds: string[],
  run: string,
  offsetMs: () => number,
): Promise<number[]> {
  const namespace = `${stack.info.defaults.tenantId}.${stack.info.defaults.datasetId}`;
  return Promise.all(
    pageIds.map(async (pageId, index) => {
      await sleep(offsetMs());
      const sentence = uniqueSentence(run, index);
      const vector = await stack.adapters.embedder.embedQuery(sentence);
      const documentId = documentIds[index] ?? "";
      const started = Date.now();
      stack.workspace?.editPage(pageId, [
        paragraph(`The original text of page ${index}.`),
        paragraph(sentence),
      ]);
      for (;;) {
        const matches = await stack.adapters.vectors.query(namespace, vector, {
          topK: 3,
          filter: { documentId },
        });
        if (matches.some((match) => match.metadata?.text.includes(sentence))) return Date.now() - started;
        await sleep(POLL_MS);
      }
    }),
  );
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const median =
    sorted.length % 2 === 1
      ? (sorted[(sorted.length - 1) / 2] ?? 0)
      : ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2;
  return { count: sorted.length, median, p90: at(0.9), min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function log(line: string): void {
  if (!JSON_OUTPUT) process.stderr.write(`${line}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

await main();
process.exit(0);
