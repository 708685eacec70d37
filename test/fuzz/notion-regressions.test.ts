/**
 * Regression cases for what the fuzzing found in extraction and chunking, each the smallest payload
 * that showed it, served raw from memory.
 */
import { describe, expect, it } from "vitest";
import { extractPage } from "../../lib/adapters/notion/extraction/extract-page.js";
import { countPreTokenBytes } from "../../lib/chunking/bpe.js";
import { tokenMeasure } from "../../lib/chunking/measure.js";
import { countTokens } from "../../lib/chunking/tokenizer.js";
import { PermanentError } from "../../lib/shared/errors.js";
import type { BlockSpec } from "../../local/notion-blocks.js";
import { MemoryReader } from "./memory-reader.js";

const LIMITS = { maxBlocks: 20_000, maxChars: 10_000_000, maxTitleLookups: 100 };

function rich(content: string) {
  return [{ type: "text", text: { content, link: null }, annotations: {}, plain_text: content, href: null }];
}

/** A reader holding one workspace-level page with these properties, and its id. */
function readerWithPage(properties: Record<string, unknown>, url = "https://www.notion.so/page") {
  const reader = new MemoryReader();
  const pageId = reader.freshId();
  reader.pages.set(pageId, { object: "page", id: pageId, url, parent: { type: "workspace" }, properties });
  return { reader, pageId };
}

async function extract(blocks: BlockSpec[], title = "Page") {
  const { reader, pageId } = readerWithPage({ Name: { id: "title", type: "title", title: rich(title) } });
  reader.addBlocks(pageId, blocks);
  return extractPage(reader, pageId, LIMITS);
}

const texts = async (blocks: BlockSpec[]) => (await extract(blocks)).blocks.map((block) => block.text);

describe("extraction regressions", () => {
  it("a numbered list starting at 1e308 or Infinity in roman numerals neither hangs nor runs out of memory", async () => {
    const item = (start: unknown) => ({
      type: "numbered_list_item",
      content: { rich_text: rich("step"), list_start_index: start, list_format: "roman" },
    });
    expect(await texts([item(1e308)])).toEqual(["i. step"]);
    expect(await texts([item(Number.POSITIVE_INFINITY)])).toEqual(["i. step"]);
    expect(await texts([item(5_000)])).toEqual(["5000. step"]);
  });

  it("a table whose table_width is 1e9 gets a header rule as wide as its header row", async () => {
    const row = (...cells: string[]) => ({ type: "table_row", content: { cells: cells.map(rich) } });
    const table = {
      type: "table",
      content: { table_width: 1e9, has_column_header: true },
      children: [row("a", "b"), row("c")],
    };
    expect(await texts([table])).toEqual(["| a | b |\n| --- | --- |\n| c |"]);
  });

  it("null, missing or mistyped fields read as empty instead of throwing a TypeError", async () => {
    const blocks: BlockSpec[] = [
      { type: "paragraph", content: { rich_text: null } },
      { type: "to_do", content: null as unknown as Record<string, unknown> },
      { type: "image", content: { type: "external", external: null, caption: "x" } },
      { type: "link_to_page", content: {} },
      {
        type: "synced_block",
        content: {},
        children: [{ type: "paragraph", content: { rich_text: rich("kept") } }],
      },
      {
        type: "callout",
        content: { rich_text: [null, 7, { type: "text" }], icon: { type: "custom_emoji" } },
      },
    ];
    expect(await texts(blocks)).toEqual(["- [ ] ", "kept", ":: "]);
  });

  it("lone surrogates become U+FFFD in text, headings and the title", async () => {
    const document = await extract(
      [
        { type: "heading_1", content: { rich_text: rich("Head \ud800") } },
        { type: "paragraph", content: { rich_text: rich("tail \udc00 end") } },
      ],
      "Title \ud83d",
    );
    expect(document.title).toBe("Title \ufffd");
    expect(document.blocks.map((block) => block.text)).toEqual(["# Head \ufffd", "tail \ufffd end"]);
    expect(document.blocks[1]?.headingPath).toEqual(["Head \ufffd"]);
  });

  it("a block without an id fails the page with a PermanentError naming its parent", async () => {
    const { reader, pageId } = readerWithPage({}, "u");
    reader.addBlocks(pageId, [{ type: "paragraph", content: { rich_text: rich("x") } }], ["no id"]);
    const extraction = extractPage(reader, pageId, LIMITS);
    await expect(extraction).rejects.toBeInstanceOf(PermanentError);
    await expect(extraction).rejects.toThrow(
      `Notion returned a block without an id or a type (a child of ${pageId})`,
    );
  });
});

describe("chunking regressions", () => {
  it("counts a long unbroken run exactly as gpt-tokenizer does (the merge is no longer quadratic)", () => {
    for (const run of ["ACGT".repeat(1_500), "漢字か".repeat(1_000), "😀🎉".repeat(800)]) {
      expect(countPreTokenBytes(run)).toBe(countTokens(run));
      expect(tokenMeasure.index(run).total).toBe(countTokens(run));
    }
  });

  it("cuts a 200,000-letter run into prefixes that fit, between code points", () => {
    const run = "ACGT".repeat(50_000);
    const prefix = tokenMeasure.prefix(run, 500);
    expect(countTokens(prefix)).toBeLessThanOrEqual(500);
    // "ACGT" is two tokens: the longest prefix that fits is about 1,000 characters.
    expect(prefix.length).toBeGreaterThanOrEqual(900);
    expect(tokenMeasure.prefix("😀".repeat(3_000), 50)).toMatch(/^(😀)+$/u);
  });
});

describe("ids read from content", () => {
  it("a link or synced block whose target is not a Notion id (`%`, `../users`) is never requested", async () => {
    const { reader, pageId } = readerWithPage({}, "u");
    reader.addBlocks(pageId, [
      { type: "link_to_page", content: { type: "database_id", database_id: "%" } },
      { type: "link_to_page", content: { type: "page_id", page_id: "../users" } },
      { type: "synced_block", content: { synced_from: { type: "block_id", block_id: "../../v1/users" } } },
    ]);
    const document = await extractPage(reader, pageId, LIMITS);
    // The page and its one list of children: no look-up, no read of an original.
    expect(reader.requests).toBe(2);
    expect(document.stats.skippedTypes).toEqual({ link_to_page: 2 });
  });
});
