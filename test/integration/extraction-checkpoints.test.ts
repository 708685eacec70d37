/**
 * Extraction that pauses and resumes (lib/adapters/notion/extraction/checkpoint.ts) on the Notion stand-in: paused every
 * few steps, its checkpoint through JSON and a new reader each time, it returns exactly what one
 * uninterrupted read returns, with the same number of requests: nothing is read twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotionConnector } from "../../lib/adapters/notion/notion-source.js";
import { type ExtractionCheckpoint, ExtractionSuspended } from "../../lib/core/extraction-control.js";
import type { ExtractedDocument, NotionSource } from "../../lib/core/ports.js";
import { createMemoryRateBudget } from "../../lib/rate-limit/rate-budget.js";
import {
  bulleted,
  code,
  heading1,
  heading2,
  numbered,
  paragraph,
  toggle,
} from "../../local/notion-blocks.js";
import { type NotionStandIn, startNotionServer } from "../../local/notion-server.js";
import { NotionWorkspace } from "../../local/notion-workspace.js";
import { TEST_CLIENT_RATE, TEST_NOTION_RATE, TestClock } from "../support/harness.js";

const TOKEN = "checkpoint-token-not-a-secret";
let server: NotionStandIn;
let pageId: string;
let databaseId: string;

beforeAll(async () => {
  const clock = new TestClock(new Date("2026-02-01T08:00:00Z"));
  const workspace = new NotionWorkspace({ clock });
  const linked = workspace.addPage({ title: "Linked", blocks: [paragraph("linked page")] });
  const sections = Array.from({ length: 4 }, (_, s) => [
    heading1(`Section ${s}`),
    ...Array.from({ length: 20 }, (_, i) =>
      bulleted(`item ${s}.${i}`, [
        numbered(`sub ${s}.${i}.a`, [paragraph(`deep ${s}.${i}`)]),
        numbered(`sub ${s}.${i}.b`),
      ]),
    ),
    heading2(`Notes ${s}`),
    toggle(`toggle ${s}`, [paragraph(`hidden ${s}`), code(`const s = ${s};`)]),
  ]);
  pageId = workspace.addPage({ title: "Handbook", blocks: sections.flat() });
  workspace.addPage({ title: "Child", parentPageId: pageId, blocks: [paragraph(`see ${linked}`)] });
  const database = workspace.addDatabase({
    title: "Tasks",
    columns: { Name: "title", Notes: "rich_text" },
  });
  databaseId = database.databaseId;
  for (let i = 0; i < 260; i++) {
    if (i % 40 === 0) clock.advance(60_000);
    workspace.addRow(
      database.dataSourceId,
      { Name: `Task ${i}`, Notes: `note ${i}` },
      i % 10 === 0 ? { blocks: [paragraph(`body of task ${i}`, [paragraph(`nested ${i}`)])] } : {},
    );
  }
  // Queries cut at 100 results, as Notion cuts at 10,000: windows cross checkpoints too.
  server = await startNotionServer({
    workspace,
    tokens: [TOKEN],
    rateLimit: TEST_NOTION_RATE,
    queryResultLimit: 100,
  });
});

afterAll(async () => {
  await server.close();
});

/** Every invocation has its own connector; the budget is shared, as the table shares it. */
const budget = createMemoryRateBudget();

function source(): NotionSource {
  return createNotionConnector({ baseUrl: server.url, rate: TEST_CLIENT_RATE, budget }).open(TOKEN);
}

/** Extracts with a pause every `every` steps; each resume uses a new connector and a JSON copy. */
async function extractInSteps(id: string, type: "page" | "database", every: number) {
  let checkpoint: ExtractionCheckpoint | undefined;
  let pauses = 0;
  for (;;) {
    let steps = 0;
    try {
      const document = await source().extract(id, type, {
        resume: checkpoint,
        pause: () => ++steps > every,
      });
      return { document, pauses };
    } catch (error) {
      if (!(error instanceof ExtractionSuspended)) throw error;
      checkpoint = JSON.parse(JSON.stringify(error.checkpoint)) as ExtractionCheckpoint;
      pauses += 1;
    }
  }
}

function comparable(document: ExtractedDocument) {
  return { ...document, stats: { ...document.stats } };
}

describe("extraction checkpoints", () => {
  it("a page paused every 7 steps reads the same blocks with the same requests as one read", async () => {
    const whole = await source().extract(pageId, "page");
    const { document, pauses } = await extractInSteps(pageId, "page", 7);
    expect(pauses).toBeGreaterThan(20);
    expect(comparable(document)).toEqual(comparable(whole));
    expect(document.blocks.length).toBeGreaterThan(200);
  });

  it("a database paused every 5 steps, across query windows, reads every row once", async () => {
    const whole = await source().extract(databaseId, "database");
    expect(whole.blocks.filter((block) => block.text.startsWith("Name: "))).toHaveLength(260);
    const { document, pauses } = await extractInSteps(databaseId, "database", 5);
    expect(pauses).toBeGreaterThan(30);
    expect(comparable(document)).toEqual(comparable(whole));
  });
});
