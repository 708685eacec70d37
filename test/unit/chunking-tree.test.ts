/**
 * Properties over random Notion block trees, walked by the real extraction code from an in-memory
 * reader and split with random rules: every chunk within the limit by a fresh count; nothing lost, in
 * order, and nothing repeated beyond the overlap; code and table lines whole in some chunk unless a
 * single line exceeds the limit; every block's text extracted.
 */
import type { BlockObjectResponse, PageObjectResponse } from "@notionhq/client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractPage } from "../../lib/adapters/notion/extraction/extract-page.js";
import type { Listing, NotionReader } from "../../lib/adapters/notion/extraction/reader.js";
import { splitHierarchical } from "../../lib/chunking/hierarchical.js";
import { splitBlocks } from "../../lib/chunking/split.js";
import { countTokens } from "../../lib/chunking/tokenizer.js";
import { AUTOMATIC_RULE, type ProcessRule } from "../../lib/core/model.js";
import type { ExtractedBlock } from "../../lib/core/ports.js";
import { alignChunks, rawPrefix, withoutDroppable } from "./chunk-alignment.js";

const RUNS = 60;
const LIMITS = { maxBlocks: 10_000, maxChars: 1_000_000, maxTitleLookups: 10 };

// ---------------------------------------------------------------- trees

type TextType =
  | "paragraph"
  | "heading_1"
  | "heading_2"
  | "heading_3"
  | "bulleted_list_item"
  | "numbered_list_item"
  | "toggle"
  | "quote";

type Node =
  | { type: TextType; text: string; children: Node[] }
  | { type: "code"; text: string }
  | { type: "table"; header: boolean; rows: string[][] }
  | { type: "column_list"; columns: Node[][] };

const word = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom("the", "index", "Notion", "vector", "sync", "page", "a", "chunk."),
  },
  {
    weight: 2,
    arbitrary: fc.string({
      unit: fc.constantFrom(..."你好世界数据索引同步文档"),
      minLength: 1,
      maxLength: 30,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom("😀", "why?", "e.g.", "—", "x".repeat(400)) },
);
const sentence = (maxWords: number) =>
  fc.array(word, { minLength: 1, maxLength: maxWords }).map((words) => words.join(" "));
const lines = fc.array(sentence(30), { minLength: 1, maxLength: 12 }).map((all) => all.join("\n"));
const cell = fc.oneof(fc.constant(""), sentence(8));

const textType = fc.constantFrom<TextType>(
  "paragraph",
  "heading_1",
  "heading_2",
  "heading_3",
  "bulleted_list_item",
  "numbered_list_item",
  "toggle",
  "quote",
);

const { tree } = fc.letrec<{ tree: Node[]; node: Node }>((tie) => ({
  tree: fc.array(tie("node"), { maxLength: 6 }),
  node: fc.oneof(
    // Past the depth limit, the first option: a leaf.
    { maxDepth: 4, depthIdentifier: "block" },
    {
      weight: 3,
      arbitrary: fc.record({ type: textType, text: sentence(80), children: fc.constant<Node[]>([]) }),
    },
    { weight: 4, arbitrary: fc.record({ type: textType, text: sentence(80), children: tie("tree") }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant("code" as const), text: lines }) },
    {
      weight: 1,
      arbitrary: fc
        .record({
          width: fc.integer({ min: 1, max: 4 }),
          header: fc.boolean(),
          height: fc.integer({ min: 0, max: 30 }),
        })
        .chain(({ width, header, height }) =>
          fc.record({
            type: fc.constant("table" as const),
            header: fc.constant(header),
            rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), {
              minLength: height,
              maxLength: height,
            }),
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant("column_list" as const),
        columns: fc.array(tie("tree"), { minLength: 1, maxLength: 3 }),
      }),
    },
  ),
})) as unknown as { tree: fc.Arbitrary<Node[]> };

const rule: fc.Arbitrary<ProcessRule> = fc
  .record({
    maxTokens: fc.integer({ min: 50, max: 300 }),
    share: fc.double({ min: 0, max: 0.49, noNaN: true }),
  })
  .map(({ maxTokens, share }) => ({ ...AUTOMATIC_RULE, maxTokens, overlap: Math.floor(maxTokens * share) }));

// ---------------------------------------------------------------- an in-memory Notion

function richText(content: string) {
  const annotations = {
    bold: false,
    italic: false,
    strikethrough: false,
    underline: false,
    code: false,
    color: "default",
  };
  return [{ type: "text", text: { content, link: null }, annotations, plain_text: content, href: null }];
}

/** Serves a tree as the API would: block objects, children by parent, 100 a page. */
class MemoryNotion implements NotionReader {
  requests = 0;
  private readonly children = new Map<string, BlockObjectResponse[]>();
  private nextId = 1;

  constructor(
    readonly pageId: string,
    nodes: Node[],
  ) {
    this.children.set(
      pageId,
      nodes.map((node) => this.block(node)),
    );
  }

  async listChildren(blockId: string, cursor: string | undefined): Promise<Listing<BlockObjectResponse>> {
    this.requests += 1;
    const all = this.children.get(blockId) ?? [];
    const start = Number(cursor ?? 0);
    const end = start + 100;
    return { results: all.slice(start, end), nextCursor: end < all.length ? String(end) : undefined };
  }

  async retrievePage(pageId: string): Promise<PageObjectResponse> {
    this.requests += 1;
    const properties = { title: { id: "title", type: "title", title: richText("Random") } };
    return {
      object: "page",
      id: pageId,
      url: "https://notion.test/page",
      parent: { type: "workspace" },
      properties,
    } as never;
  }

  async queryDataSource(): Promise<never> {
    throw new Error("no databases here");
  }

  async retrieveDatabase(): Promise<never> {
    throw new Error("no databases here");
  }

  async listPropertyItems(): Promise<never> {
    throw new Error("no properties here");
  }

  private block(node: Node): BlockObjectResponse {
    const id = `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, "0")}`;
    const kids = this.kids(node);
    if (kids.length > 0) this.children.set(id, kids);
    const content = this.content(node);
    return {
      object: "block",
      id,
      type: node.type,
      [node.type]: content,
      has_children: kids.length > 0,
    } as never;
  }

  private kids(node: Node): BlockObjectResponse[] {
    switch (node.type) {
      case "code":
        return [];
      case "table":
        return node.rows.map((row) => this.raw("table_row", { cells: row.map(richText) }));
      case "column_list":
        return node.columns.map((column) => {
          const block = this.raw("column", {});
          this.children.set(
            block.id,
            column.map((child) => this.block(child)),
          );
          return { ...block, has_children: column.length > 0 } as BlockObjectResponse;
        });
      default:
        return node.children.map((child) => this.block(child));
    }
  }

  private content(node: Node): Record<string, unknown> {
    switch (node.type) {
      case "code":
        return { rich_text: richText(node.text), caption: [], language: "python" };
      case "table":
        return {
          table_width: node.rows[0]?.length ?? 1,
          has_column_header: node.header,
          has_row_header: false,
        };
      case "column_list":
        return {};
      default:
        return { rich_text: richText(node.text), color: "default", is_toggleable: false };
    }
  }

  private raw(type: string, content: Record<string, unknown>): BlockObjectResponse {
    const id = `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, "0")}`;
    return { object: "block", id, type, [type]: content, has_children: false } as never;
  }
}

/** Every text of the tree, in document order. */
function textsOf(nodes: Node[]): string[] {
  return nodes.flatMap((node) => {
    if (node.type === "code") return [node.text];
    if (node.type === "table") return node.rows.flat().filter((value) => value !== "");
    if (node.type === "column_list") return node.columns.flatMap(textsOf);
    return [node.text, ...textsOf(node.children)];
  });
}

async function extract(nodes: Node[]): Promise<ExtractedBlock[]> {
  const notion = new MemoryNotion("11111111-0000-4000-8000-000000000000", nodes);
  return (await extractPage(notion, notion.pageId, LIMITS)).blocks;
}

/** The lines of code and table blocks that a chunk may not cut: those within the limit. */
function wholeLines(blocks: ExtractedBlock[], maxTokens: number): string[] {
  return (
    blocks
      .filter((block) => block.kind === "code" || block.kind === "table")
      .flatMap((block) => block.text.split("\n"))
      // A line that fits with its indentation (which is kept: it nests the line) stays whole.
      .filter((line) => line.trim() !== "" && countTokens(line.trimEnd()) <= maxTokens)
      .map((line) => line.trim())
  );
}

// ---------------------------------------------------------------- properties

describe("random block trees", () => {
  it("extract every text in order, and split within the limit, losing nothing, overlapping at most `overlap`", async () => {
    await fc.assert(
      fc.asyncProperty(tree, rule, async (nodes, processRule) => {
        const blocks = await extract(nodes);
        const extractedText = blocks.map((block) => block.text).join("\n");
        let from = 0;
        for (const text of textsOf(nodes)) {
          const at = extractedText.indexOf(text.split("\n")[0] as string, from);
          expect(at, text).toBeGreaterThanOrEqual(0);
          from = at;
        }

        const chunks = splitBlocks(blocks, processRule);
        for (const chunk of chunks) {
          expect(chunk.tokens).toBe(countTokens(chunk.content));
          expect(chunk.tokens).toBeLessThanOrEqual(processRule.maxTokens);
        }
        const overlaps = alignChunks(withoutDroppable(blocks.map((block) => block.text).join("")), chunks);
        chunks.forEach((chunk, index) => {
          expect(countTokens(rawPrefix(chunk.content, overlaps[index] ?? 0))).toBeLessThanOrEqual(
            processRule.overlap,
          );
        });
        for (const line of wholeLines(blocks, processRule.maxTokens)) {
          expect(
            chunks.some((chunk) => chunk.content.includes(line)),
            line,
          ).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("cut into parents and children: each within its limit, children inside their parent, parents covering all", async () => {
    await fc.assert(
      fc.asyncProperty(tree, fc.integer({ min: 50, max: 120 }), async (nodes, childMaxTokens) => {
        const blocks = await extract(nodes);
        const processRule = { ...AUTOMATIC_RULE, maxTokens: 400, overlap: 10, childMaxTokens };
        const { parents, children } = splitHierarchical(blocks, processRule);
        alignChunks(withoutDroppable(blocks.map((block) => block.text).join("")), parents);
        for (const parent of parents) expect(countTokens(parent.content)).toBeLessThanOrEqual(400);
        parents.forEach((parent, index) => {
          const own = children.filter((child) => child.parentIndex === index);
          for (const child of own) {
            expect(child.tokens).toBeLessThanOrEqual(childMaxTokens);
            expect(parent.content).toContain(child.content);
          }
          alignChunks(withoutDroppable(parent.content), own);
        });
      }),
      { numRuns: RUNS / 2 },
    );
  });
});
