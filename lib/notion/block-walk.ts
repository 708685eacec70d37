/**
 * Walks block trees with an explicit stack (never deep recursion), reading every page of every list
 * of children in document order, and turns blocks into ExtractedBlocks with their heading path and a
 * link to the block. Child pages and databases are recorded, not entered: they are documents of their
 * own. A synced block that references another is read from its original. A table becomes one block of
 * rows. The work is bounded: past `maxBlocks` blocks or `maxChars` characters the walk fails; it
 * never returns part of a page.
 */
import type { BlockObjectResponse } from "@notionhq/client";
import { NotionNotFoundError, PermanentError } from "../errors.js";
import type { BlockKind, ChildObject, ExtractedBlock, ExtractedDocument } from "../ports.js";
import type { ExtractionLimits, NotionReader } from "./reader.js";
import {
  headingLevel,
  headingText,
  indent,
  type ListFormat,
  linkToPageText,
  renderBlock,
  tableHeaderRule,
  tableRowText,
} from "./render-blocks.js";
import type { TitleCache } from "./titles.js";

/** Where walked blocks belong: their page's URL, their unit (a database row), a heading path prefix. */
export interface WalkPlace {
  url: string;
  unit?: string;
  headingPath: string[];
}

/** One parent whose children are being read, page by page. */
interface Frame {
  parentId: string;
  /** Indentation of the children. */
  depth: number;
  buffer: BlockObjectResponse[];
  /** null: the first page is still to be read; undefined: nothing more to read. */
  cursor: string | null | undefined;
  /** Position in the current run of numbered list items, and how the run counts. */
  listNumber: number;
  listFormat?: ListFormat;
  /** Set when the children are a table's rows: they become one block when the frame ends. */
  table?: TableRows;
  /** The original of a synced block, which may sit in a page the integration cannot see. */
  syncedOriginal?: boolean;
}

interface TableRows {
  block: BlockObjectResponse;
  depth: number;
  hasColumnHeader: boolean;
  columns: number;
  rows: string[];
}

/** Types whose children are indented under them (a list item's sub-items, a toggle's content). */
const INDENTING = new Set([
  "paragraph",
  "bulleted_list_item",
  "numbered_list_item",
  "to_do",
  "toggle",
  "quote",
  "callout",
]);

export class BlockWalk {
  readonly blocks: ExtractedBlock[] = [];
  readonly children: ChildObject[] = [];
  readonly skippedTypes: Record<string, number> = {};
  seen = 0;
  skipped = 0;
  private chars = 0;

  constructor(
    private readonly subject: "page" | "database",
    private readonly reader: NotionReader,
    private readonly limits: ExtractionLimits,
    private readonly titles: TitleCache,
  ) {}

  /** Counts a block or row against `maxBlocks`. */
  count(): void {
    this.seen += 1;
    if (this.seen > this.limits.maxBlocks) {
      throw new PermanentError(`${this.subject} has more than ${this.limits.maxBlocks} blocks`);
    }
  }

  /** Keeps a block of text, counted against `maxChars`. */
  add(block: ExtractedBlock): void {
    this.chars += block.text.length;
    if (this.chars > this.limits.maxChars) {
      throw new PermanentError(`${this.subject} has more than ${this.limits.maxChars} characters of text`);
    }
    this.blocks.push(block);
  }

  /** What the walk found, as the Notion port returns it. */
  document(title: string, url: string): ExtractedDocument {
    return {
      title,
      url,
      blocks: this.blocks,
      stats: {
        blocks: this.seen,
        skipped: this.skipped,
        skippedTypes: this.skippedTypes,
        requests: this.reader.requests,
      },
      children: this.children,
    };
  }

  async walk(rootId: string, place: WalkPlace): Promise<void> {
    const headings = new Headings(place.headingPath);
    const stack: Frame[] = [newFrame(rootId, 0)];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as Frame;
      const next = top.buffer.shift();
      if (next !== undefined) {
        const child = await this.visit(next, top, place, headings);
        if (child !== undefined) stack.push(child);
      } else if (top.cursor !== undefined) {
        await this.fill(top);
      } else {
        stack.pop();
        if (top.table !== undefined) this.addTable(top.table, place, headings);
      }
    }
  }

  /** Records one block; returns the frame for its children when there are some to read. */
  private async visit(
    block: BlockObjectResponse,
    frame: Frame,
    place: WalkPlace,
    headings: Headings,
  ): Promise<Frame | undefined> {
    this.count();
    if (block.type === "numbered_list_item" && frame.listNumber === 0) {
      frame.listFormat = block.numbered_list_item.list_format;
    }
    frame.listNumber = listNumber(block, frame.listNumber);
    if (block.type === "table_row" && frame.table !== undefined) {
      frame.table.rows.push(tableRowText(block.table_row.cells));
      return undefined;
    }
    const level = headingLevel(block);
    if (level !== undefined) headings.enter(level, headingText(block));
    const text = await this.textOf(block, frame);
    if (text === undefined) this.skip(block.type);
    else if (text.trim() !== "") this.add(extracted(block, text, kindOf(block), place, headings));
    return childFrame(block, frame);
  }

  private async textOf(block: BlockObjectResponse, frame: Frame): Promise<string | undefined> {
    if (block.type === "child_page") {
      this.children.push({ id: block.id, type: "page", title: block.child_page.title });
    } else if (block.type === "child_database") {
      this.children.push({ id: block.id, type: "database", title: block.child_database.title });
    } else if (block.type === "link_to_page") {
      const link = block.link_to_page;
      if (link.type === "comment_id") return undefined;
      const target =
        link.type === "page_id"
          ? { type: "page" as const, id: link.page_id }
          : { type: "database" as const, id: link.database_id };
      return indent(linkToPageText(target.id, await this.titles.title(target)), frame.depth);
    }
    return renderBlock(block, { depth: frame.depth, number: frame.listNumber, listFormat: frame.listFormat });
  }

  private async fill(frame: Frame): Promise<void> {
    try {
      const listing = await this.reader.listChildren(frame.parentId, frame.cursor ?? undefined);
      frame.buffer.push(...listing.results);
      frame.cursor = listing.nextCursor;
    } catch (error) {
      if (!(frame.syncedOriginal && error instanceof NotionNotFoundError)) throw error;
      // The original sits in a page not shared with the integration: none of it can be read.
      this.skip("synced_block");
      frame.cursor = undefined;
    }
  }

  private addTable(table: TableRows, place: WalkPlace, headings: Headings): void {
    const [header, ...rest] = table.rows;
    if (header === undefined) return; // an empty table has nothing to index
    const lines = table.hasColumnHeader ? [header, tableHeaderRule(table.columns), ...rest] : table.rows;
    this.add(extracted(table.block, indent(lines.join("\n"), table.depth), "table", place, headings));
  }

  private skip(type: string): void {
    this.skipped += 1;
    this.skippedTypes[type] = (this.skippedTypes[type] ?? 0) + 1;
  }
}

/** The headings a block sits under; a heading opens its own section (it is the last entry of its path). */
class Headings {
  private entries: { level: number; text: string }[] = [];

  constructor(private readonly prefix: string[]) {}

  enter(level: number, text: string): void {
    this.entries = this.entries.filter((entry) => entry.level < level);
    this.entries.push({ level, text });
  }

  path(): string[] {
    return [...this.prefix, ...this.entries.map((entry) => entry.text)];
  }
}

function newFrame(parentId: string, depth: number): Frame {
  return { parentId, depth, buffer: [], cursor: null, listNumber: 0 };
}

/** Numbered items count up within a run of siblings, from the list's start index. */
function listNumber(block: BlockObjectResponse, previous: number): number {
  if (block.type !== "numbered_list_item") return 0;
  return previous === 0 ? (block.numbered_list_item.list_start_index ?? 1) : previous + 1;
}

function childFrame(block: BlockObjectResponse, frame: Frame): Frame | undefined {
  if (block.type === "child_page" || block.type === "child_database") return undefined;
  if (block.type === "synced_block" && block.synced_block.synced_from !== null) {
    // A reference shows its original's children: they are read there.
    return { ...newFrame(block.synced_block.synced_from.block_id, frame.depth), syncedOriginal: true };
  }
  if (!block.has_children) return undefined;
  if (block.type === "table") {
    const { has_column_header: hasColumnHeader, table_width: columns } = block.table;
    return {
      ...newFrame(block.id, frame.depth),
      table: { block, depth: frame.depth, hasColumnHeader, columns, rows: [] },
    };
  }
  return newFrame(block.id, frame.depth + (INDENTING.has(block.type) ? 1 : 0));
}

function kindOf(block: BlockObjectResponse): BlockKind {
  if (headingLevel(block) !== undefined) return "heading";
  return block.type === "code" ? "code" : "text";
}

function extracted(
  block: BlockObjectResponse,
  text: string,
  kind: BlockKind,
  place: WalkPlace,
  headings: Headings,
): ExtractedBlock {
  return {
    blockId: block.id,
    text,
    headingPath: headings.path(),
    sourceUrl: `${place.url}#${block.id.replaceAll("-", "")}`,
    kind,
    ...(place.unit === undefined ? {} : { unit: place.unit }),
  };
}
