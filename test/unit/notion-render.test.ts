/**
 * Rendering details the fixtures do not show: numbered lists that start elsewhere or count in letters
 * or roman numerals, and an unknown container whose children are still read.
 */
import type { BlockObjectResponse } from "@notionhq/client";
import { describe, expect, it } from "vitest";
import { extractPage } from "../../lib/adapters/notion/extraction/extract-page.js";
import type { Listing, NotionReader } from "../../lib/adapters/notion/extraction/reader.js";

function richText(content: string) {
  return [{ type: "text", text: { content, link: null }, annotations: {}, plain_text: content, href: null }];
}

function item(id: string, content: string, list: Record<string, unknown> = {}) {
  return {
    object: "block",
    id,
    type: "numbered_list_item",
    numbered_list_item: { rich_text: richText(content), color: "default", ...list },
    has_children: false,
  } as unknown as BlockObjectResponse;
}

function reader(children: Record<string, BlockObjectResponse[]>): NotionReader {
  return {
    requests: 0,
    async listChildren(blockId: string): Promise<Listing<BlockObjectResponse>> {
      return { results: children[blockId] ?? [], nextCursor: undefined };
    },
    async retrievePage(pageId: string) {
      return {
        id: pageId,
        url: "https://notion.test/p",
        parent: { type: "workspace" },
        properties: {},
      } as never;
    },
    async queryDataSource(): Promise<never> {
      throw new Error("unused");
    },
    async retrieveDatabase(): Promise<never> {
      throw new Error("unused");
    },
    async listPropertyItems(): Promise<never> {
      throw new Error("unused");
    },
  };
}

const LIMITS = { maxBlocks: 100, maxChars: 10_000, maxTitleLookups: 0 };

describe("numbered lists", () => {
  it("start at the list's start index and count in the format its first item gives", async () => {
    const page = reader({
      page: [
        item("a1", "fifth", { list_start_index: 5 }),
        item("a2", "sixth"),
        { object: "block", id: "d", type: "divider", divider: {}, has_children: false } as never,
        item("b1", "first letter", { list_format: "letters" }),
        item("b2", "second letter"),
        { object: "block", id: "d2", type: "divider", divider: {}, has_children: false } as never,
        item("c1", "one", { list_format: "roman" }),
        item("c2", "two"),
        item("c3", "three"),
        item("c4", "four"),
      ],
    });
    const extracted = await extractPage(page, "page", LIMITS);
    expect(extracted.blocks.map((block) => block.text)).toEqual([
      "5. fifth",
      "6. sixth",
      "---",
      "a. first letter",
      "b. second letter",
      "---",
      "i. one",
      "ii. two",
      "iii. three",
      "iv. four",
    ]);
  });
});

describe("unknown blocks", () => {
  it("are skipped and counted, while their children are still read", async () => {
    const page = reader({
      page: [{ object: "block", id: "tab", type: "tab", tab: {}, has_children: true } as never],
      tab: [
        {
          object: "block",
          id: "p",
          type: "paragraph",
          paragraph: { rich_text: richText("inside a tab"), color: "default" },
          has_children: false,
        } as never,
      ],
    });
    const extracted = await extractPage(page, "page", LIMITS);
    expect(extracted.blocks.map((block) => block.text)).toEqual(["inside a tab"]);
    expect(extracted.stats).toMatchObject({ blocks: 2, skipped: 1, skippedTypes: { tab: 1 } });
  });
});
