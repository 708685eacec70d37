/**
 * Extraction fidelity: every block type, from API-shaped fixtures served by the Notion stand-in to the
 * real client, becomes the expected text; large and deep structures are read whole; a failed fetch
 * fails the extraction rather than truncate it.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotionConnector } from "../../lib/adapters/notion/notion-source.js";
import { splitBlocks } from "../../lib/chunking/split.js";
import { AUTOMATIC_RULE } from "../../lib/core/model.js";
import type { NotionSource } from "../../lib/core/ports.js";
import { LimitExceededError, PermanentError, RetryableError } from "../../lib/shared/errors.js";
import { type BlockSpec, block, bulleted, paragraph, text } from "../../local/notion-blocks.js";
import { type NotionStandIn, startNotionServer } from "../../local/notion-server.js";
import { NotionWorkspace } from "../../local/notion-workspace.js";
import { blockSpecs, loadBlockFixtures, withFreshIds } from "../fixtures/notion/load.js";
import { TEST_CLIENT_BUDGET, TEST_CLIENT_RATE, TEST_NOTION_RATE } from "../support/harness.js";

const TOKEN = "secret_blocks_test_token";
const RUNBOOK = "1a2b3c4d-0002-4000-8000-000000000002";
const TASKS = "bbbbbbbb-0000-4000-8000-000000000001";
const EVERY_TYPE = "eeeeeeee-0000-4000-8000-000000000001";
const fixtures = loadBlockFixtures();

let server: NotionStandIn;
let workspace: NotionWorkspace;
let source: NotionSource;

function tableRow(...values: string[]): BlockSpec {
  return block("table_row", { cells: values.map((value) => (value === "" ? [] : [text(value)])) });
}

beforeAll(async () => {
  workspace = new NotionWorkspace({ clock: { now: () => new Date("2025-06-01T10:15:00.000Z") } });
  workspace.addPage({ id: RUNBOOK, title: "On-call runbook", blocks: [paragraph("Page the on-call.")] });
  workspace.addDatabase({ id: TASKS, title: "Tasks", columns: { Name: "title" } });
  for (const fixture of fixtures) {
    workspace.addPage({ id: fixture.pageId, title: fixture.name, blocks: blockSpecs(fixture) });
  }
  workspace.addPage({
    id: EVERY_TYPE,
    title: "Every block type",
    blocks: fixtures.flatMap((fixture) => blockSpecs(withFreshIds(fixture, 1))),
  });
  server = await startNotionServer({ workspace, tokens: [TOKEN], rateLimit: TEST_NOTION_RATE });
  source = createNotionConnector({
    baseUrl: server.url,
    rate: TEST_CLIENT_RATE,
    budget: TEST_CLIENT_BUDGET,
    retry: false,
  }).open(TOKEN);
});

afterAll(async () => {
  await server.close();
});

describe("each block type", () => {
  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))("%s", async (_, fixture) => {
    const extracted = await source.extract(fixture.pageId, "page");
    expect(extracted.blocks.map((extractedBlock) => extractedBlock.text)).toEqual(fixture.expected);
    expect(extracted.stats.skipped).toBe(fixture.skipped);
  });

  it("keeps link markup out of the heading path: a label is the text a person reads", async () => {
    const fixture = fixtures.find((candidate) => candidate.name === "rich_text_links");
    const extracted = await source.extract(fixture?.pageId ?? "", "page");
    expect(extracted.blocks.map((extractedBlock) => extractedBlock.headingPath)).toEqual([
      ["Escalation via PagerDuty"],
      ["Escalation via PagerDuty"],
    ]);
  });

  it("marks headings, code and tables for the chunker, and links every block to its place", async () => {
    const kinds = async (name: string) => {
      const fixture = fixtures.find((candidate) => candidate.name === name);
      const extracted = await source.extract(fixture?.pageId ?? "", "page");
      return extracted.blocks.map((extractedBlock) => extractedBlock.kind);
    };
    expect(await kinds("heading_2")).toEqual(["heading", "text"]);
    expect(await kinds("code")).toEqual(["code", "code"]);
    expect(await kinds("table")).toEqual(["table"]);
    const extracted = await source.extract(EVERY_TYPE, "page");
    for (const extractedBlock of extracted.blocks) {
      expect(extractedBlock.sourceUrl).toBe(`${extracted.url}#${extractedBlock.blockId.replaceAll("-", "")}`);
    }
  });

  it("counts skipped types by name and lists child pages and databases", async () => {
    const extracted = await source.extract(EVERY_TYPE, "page");
    expect(extracted.stats.skippedTypes).toEqual({ breadcrumb: 1, table_of_contents: 1, unsupported: 1 });
    // In page order: the fixtures are laid out alphabetically.
    expect(extracted.children).toEqual([
      { id: "c2c2c2c2-0000-4000-8000-000000000002", type: "database", title: "On-call schedule" },
      { id: "c2c2c2c2-0000-4000-8000-000000000001", type: "page", title: "Post-mortem 2025-05" },
    ]);
  });
});

describe("a page holding every block type", () => {
  it("yields every fact, in order, and never an expiring file URL", async () => {
    const extracted = await source.extract(EVERY_TYPE, "page");
    const expected = fixtures.flatMap((fixture) => withFreshIds(fixture, 1).expected);
    expect(extracted.blocks.map((extractedBlock) => extractedBlock.text)).toEqual(expected);
    expect(JSON.stringify(extracted)).not.toContain("X-Amz-Signature");
  });

  it("keeps every fact, in order, through chunking", async () => {
    const extracted = await source.extract(EVERY_TYPE, "page");
    const chunks = splitBlocks(extracted.blocks, { ...AUTOMATIC_RULE, maxTokens: 120, overlap: 20 });
    expect(chunks.length).toBeGreaterThan(3);
    let chunk = 0;
    for (const line of extracted.blocks.flatMap((extractedBlock) => extractedBlock.text.split("\n"))) {
      while (chunk < chunks.length && !chunks[chunk]?.content.includes(line.trim())) chunk += 1;
      expect(chunk, `"${line}" is in a chunk, in order`).toBeLessThan(chunks.length);
    }
  });
});

describe("large and deep structures", () => {
  it("reads a table of 250 rows across pages of results, header once, empty cells in place", async () => {
    const rows = Array.from({ length: 250 }, (_, i) =>
      tableRow(`row ${i}`, i % 7 === 0 ? "" : `value ${i}`, "x"),
    );
    const table = block("table", { table_width: 3, has_column_header: true, has_row_header: false }, [
      tableRow("Key", "Value", "Flag"),
      ...rows,
    ]);
    const pageId = workspace.addPage({ title: "Big table", blocks: [table] });
    const extracted = await source.extract(pageId, "page");
    const lines = (extracted.blocks[0]?.text ?? "").split("\n");
    expect(extracted.blocks).toHaveLength(1);
    expect(lines).toHaveLength(252);
    expect(lines.slice(0, 3)).toEqual(["| Key | Value | Flag |", "| --- | --- | --- |", "| row 0 |  | x |"]);
    expect(lines.at(-1)).toBe("| row 249 | value 249 | x |");
    expect(extracted.stats.requests).toBe(1 + 1 + 3);
  });

  it("reads 60 levels of nesting without recursion limits", async () => {
    let nested = bulleted("level 60");
    for (let level = 59; level >= 1; level -= 1) nested = bulleted(`level ${level}`, [nested]);
    const pageId = workspace.addPage({ title: "Deep", blocks: [nested, paragraph("after the list")] });
    const extracted = await source.extract(pageId, "page");
    expect(extracted.blocks).toHaveLength(61);
    expect(extracted.blocks[59]?.text).toBe(`${"  ".repeat(59)}- level 60`);
    expect(extracted.blocks[60]?.text).toBe("after the list");
  });

  it("fails when the text is larger than allowed, rather than keep part of it", async () => {
    const pageId = workspace.addPage({
      title: "Wordy",
      blocks: [paragraph("a".repeat(600)), paragraph("b".repeat(600))],
    });
    const small = createNotionConnector({
      baseUrl: server.url,
      rate: TEST_CLIENT_RATE,
      budget: TEST_CLIENT_BUDGET,
      maxChars: 1000,
    }).open(TOKEN);
    // A LimitExceededError is a PermanentError (never retried) of its own class (metrics: limit-exceeded).
    await expect(small.extract(pageId, "page")).rejects.toThrow(
      new LimitExceededError("page has more than 1000 characters of text"),
    );
    await expect(small.extract(pageId, "page")).rejects.toBeInstanceOf(PermanentError);
  });

  it("fails loudly when a fetch fails midway: no truncated document", async () => {
    const blocks = Array.from({ length: 250 }, (_, i) => paragraph(`paragraph ${i}`));
    const pageId = workspace.addPage({ title: "Flaky", blocks });
    const flaky = createNotionConnector({
      baseUrl: server.url,
      rate: TEST_CLIENT_RATE,
      budget: TEST_CLIENT_BUDGET,
      retry: false,
    }).open(TOKEN);
    const reading = flaky.extract(pageId, "page");
    // The page and its first page of children are read; the second page of children fails.
    server.faults.failAfter(2, 503);
    const error = await reading.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/list block children failed \(503\)/);
  });
});
