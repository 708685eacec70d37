/**
 * Walks block trees with an explicit stack (never deep recursion), reading every page of every list
 * of children in document order, and turns blocks into ExtractedBlocks with their heading path and a
 * link to the block. Child pages and databases are recorded, not entered: they are documents of their
 * own. A synced block that references another is read from its original. A table becomes one block of
 * rows. The work is bounded: past `maxBlocks` blocks or `maxChars` characters the walk fails; it
 * never returns part of a page. Blocks are read defensively: a block without an id or a type fails the
 * walk with a PermanentError, odd fields read as empty, and every text returned is well-formed UTF-16.
 */
import type { BlockObjectResponse } from "@notionhq/client";
import type { BlockKind, ChildObject, ExtractedBlock, ExtractedDocument } from "../../../core/ports.js";
import { LimitExceededError, NotionNotFoundError, PermanentError } from "../../../shared/errors.js";
import { label } from "./labels.js";
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
  tableRowWidth,
} from "./render-blocks.js";
import { richTextToLabel } from "./rich-text.js";
import type { TitleCache } from "./titles.js";
import { notionIdOf, objectOf, textOf } from "./untrusted.js";
import { wellFormed } from "./well-formed.js";

/** Where walked blocks belong: their page's URL, their unit (a database row), a heading path prefix. */
export interface WalkPlace {
  url: string;
  unit?: string;
  headingPath: string[];
}

/** One parent whose children are being read, page by page. */
export interface Frame {
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
  /**
   * Blocks whose children are read after this frame's, in order, in the same frame: the sections of
   * AI meeting notes (summary, notes, transcript), which the meeting notes block names by id.
   */
  nextParents?: string[];
  /** What a parent that cannot be read is counted as (skipped); default: it fails the page. */
  unreadableAs?: string;
}

interface TableRows {
  block: BlockObjectResponse;
  depth: number;
  hasColumnHeader: boolean;
  /** Cells of the first row: the header rule matches them (`table_width` may disagree with the rows). */
  columns: number;
  rows: string[];
}

/** Rows a database may have unless the limits say otherwise. */
const DEFAULT_MAX_ROWS = 100_000;

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

/** Everything a walk has read and where it stands: plain data, so that a checkpoint can hold it. */
export interface WalkState {
  blocks: ExtractedBlock[];
  children: ChildObject[];
  skippedTypes: Record<string, number>;
  seen: number;
  /** Of `seen`, database rows. */
  rows?: number;
  skipped: number;
  chars: number;
  /** Requests made by earlier invocations of this extraction. */
  earlierRequests: number;
  /** The tree being walked: parents whose children are still to be read, innermost last. */
  stack: Frame[];
  headings: { prefix: string[]; entries: { level: number; text: string }[] };
  place: WalkPlace;
}

export class BlockWalk {
  readonly blocks: ExtractedBlock[];
  readonly children: ChildObject[];
  readonly skippedTypes: Record<string, number>;
  seen: number;
  skipped: number;
  private rows: number;
  private chars: number;
  private readonly earlierRequests: number;
  private stack: Frame[];
  private headings: Headings;
  private place: WalkPlace;

  constructor(
    private readonly subject: "page" | "database",
    private readonly reader: NotionReader,
    private readonly limits: ExtractionLimits,
    private readonly titles: TitleCache,
    saved?: WalkState,
  ) {
    this.blocks = saved?.blocks ?? [];
    this.children = saved?.children ?? [];
    this.skippedTypes = saved?.skippedTypes ?? {};
    this.seen = saved?.seen ?? 0;
    this.rows = saved?.rows ?? 0;
    this.skipped = saved?.skipped ?? 0;
    this.chars = saved?.chars ?? 0;
    this.earlierRequests = saved?.earlierRequests ?? 0;
    this.stack = saved?.stack ?? [];
    this.headings = new Headings(saved?.headings.prefix ?? [], saved?.headings.entries);
    this.place = saved?.place ?? { url: "", headingPath: [] };
  }

  /** Where the walk stands, for a checkpoint; resume with `new BlockWalk(…, state)` and `resume()`. */
  state(): WalkState {
    return {
      blocks: this.blocks,
      children: this.children,
      skippedTypes: this.skippedTypes,
      seen: this.seen,
      rows: this.rows,
      skipped: this.skipped,
      chars: this.chars,
      earlierRequests: this.earlierRequests + this.reader.requests,
      stack: this.stack,
      headings: this.headings.state(),
      place: this.place,
    };
  }

  /** Counts a block against `maxBlocks`, or a database row against `maxRows`. */
  count(what: "block" | "row" = "block"): void {
    this.seen += 1;
    if (what === "row") {
      this.rows += 1;
      const maxRows = this.limits.maxRows ?? DEFAULT_MAX_ROWS;
      if (this.rows > maxRows) throw new LimitExceededError(`${this.subject} has more than ${maxRows} rows`);
    } else if (this.seen - this.rows > this.limits.maxBlocks) {
      throw new LimitExceededError(`${this.subject} has more than ${this.limits.maxBlocks} blocks`);
    }
  }

  /** Keeps a block of text, counted against `maxChars`. */
  add(block: ExtractedBlock): void {
    this.chars += block.text.length;
    if (this.chars > this.limits.maxChars) {
      throw new LimitExceededError(
        `${this.subject} has more than ${this.limits.maxChars} characters of text`,
      );
    }
    this.blocks.push({
      ...block,
      text: wellFormed(block.text),
      headingPath: block.headingPath.map(label),
    });
  }

  /** What the walk found, as the Notion port returns it. */
  document(title: string, url: string): ExtractedDocument {
    return {
      title: label(title),
      url,
      blocks: this.blocks,
      stats: {
        blocks: this.seen,
        skipped: this.skipped,
        skippedTypes: this.skippedTypes,
        requests: this.earlierRequests + this.reader.requests,
      },
      children: this.children,
    };
  }

  /**
   * Reads the tree under `rootId`. Returns "paused" when `pause()` said so between two steps: the
   * walk's state is then whole (nothing read is lost, nothing half-done), and `resume` goes on.
   */
  walk(rootId: string, place: WalkPlace, pause?: () => boolean): Promise<"done" | "paused"> {
    this.place = place;
    this.headings = new Headings(place.headingPath);
    this.stack = [newFrame(rootId, 0)];
    return this.resume(pause);
  }

  async resume(pause: () => boolean = () => false): Promise<"done" | "paused"> {
    const { stack, place, headings } = this;
    while (stack.length > 0) {
      if (pause()) return "paused";
      const top = stack[stack.length - 1] as Frame;
      const next = top.buffer.shift();
      if (next !== undefined) {
        const child = await this.visit(next, top, place, headings);
        if (child !== undefined) stack.push(child);
      } else if (top.cursor !== undefined) {
        await this.fill(top);
      } else if (top.nextParents !== undefined && top.nextParents.length > 0) {
        // The next section of the same block: read into this frame, as a continuation of it.
        top.parentId = top.nextParents.shift() as string;
        top.cursor = null;
        top.listNumber = 0;
      } else {
        stack.pop();
        if (top.table !== undefined) this.addTable(top.table, place, headings);
      }
    }
    return "done";
  }

  /** Records one block; returns the frame for its children when there are some to read. */
  private async visit(
    block: BlockObjectResponse,
    frame: Frame,
    place: WalkPlace,
    headings: Headings,
  ): Promise<Frame | undefined> {
    this.count();
    requireEnvelope(block, frame.parentId);
    if (block.type === "numbered_list_item" && frame.listNumber === 0) {
      frame.listFormat = block.numbered_list_item?.list_format;
    }
    frame.listNumber = listNumber(block, frame.listNumber);
    if (block.type === "table_row" && frame.table !== undefined) {
      const { table } = frame;
      if (table.rows.length === 0) table.columns = tableRowWidth(block.table_row?.cells);
      table.rows.push(tableRowText(block.table_row?.cells));
      return undefined;
    }
    const level = headingLevel(block);
    // The path is a label: the heading as a person reads it, without link markup.
    if (level !== undefined) headings.enter(level, headingText(block, richTextToLabel));
    const text = await this.blockText(block, frame);
    if (text === undefined) this.skip(block.type);
    else if (text.trim() !== "") this.add(extracted(block, text, kindOf(block), place, headings));
    return childFrame(block, frame);
  }

  private async blockText(block: BlockObjectResponse, frame: Frame): Promise<string | undefined> {
    if (block.type === "child_page") {
      this.children.push({ id: block.id, type: "page", title: label(textOf(block.child_page?.title)) });
    } else if (block.type === "child_database") {
      this.children.push({
        id: block.id,
        type: "database",
        title: label(textOf(block.child_database?.title)),
      });
    } else if (block.type === "link_to_page") {
      const target = linkTarget(block);
      if (target === undefined) return undefined;
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
      const unreadableAs = frame.unreadableAs ?? (frame.syncedOriginal ? "synced_block" : undefined);
      if (!(unreadableAs !== undefined && error instanceof NotionNotFoundError)) throw error;
      // A synced block's original in a page not shared with the integration, or a meeting's section
      // that is gone: none of it can be read, the rest of the page can.
      this.skip(unreadableAs);
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
    // A type is Notion's data: "constructor" or "__proto__" must count like any other name.
    const counts = this.skippedTypes;
    const before = Object.hasOwn(counts, type) ? (counts[type] as number) : 0;
    Object.defineProperty(counts, type, {
      value: before + 1,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

/** The headings a block sits under; a heading opens its own section (it is the last entry of its path). */
class Headings {
  private entries: { level: number; text: string }[];

  constructor(
    private readonly prefix: string[],
    entries: { level: number; text: string }[] = [],
  ) {
    this.entries = entries;
  }

  state() {
    return { prefix: this.prefix, entries: this.entries };
  }

  enter(level: number, text: string): void {
    this.entries = this.entries.filter((entry) => entry.level < level);
    this.entries.push({ level, text });
  }

  path(): string[] {
    return [...this.prefix, ...this.entries.map((entry) => entry.text)];
  }
}

/**
 * AI meeting notes (`meeting_notes`, formerly `transcription`) keep their summary, notes and
 * transcript in other blocks, named by id: those are read, in that order, instead of the children.
 */
function meetingSections(block: BlockObjectResponse): string[] | undefined {
  if (block.type !== "meeting_notes" && block.type !== "transcription") return undefined;
  const content = objectOf((block as unknown as Record<string, unknown>)[block.type]);
  const children = objectOf(content?.children);
  return [children?.summary_block_id, children?.notes_block_id, children?.transcript_block_id]
    .map(notionIdOf)
    .filter((id): id is string => id !== undefined);
}

function newFrame(parentId: string, depth: number): Frame {
  return { parentId, depth, buffer: [], cursor: null, listNumber: 0 };
}

/** Every block needs an id (its link, its children) and a type; without them nothing can be read. */
function requireEnvelope(block: BlockObjectResponse, parentId: string): void {
  const { id, type } = block as { id?: unknown; type?: unknown };
  if (typeof id !== "string" || id === "" || typeof type !== "string" || type === "") {
    throw new PermanentError(`Notion returned a block without an id or a type (a child of ${parentId})`);
  }
}

/** The page or database a link points at; undefined for a link to a comment or of an odd shape. */
function linkTarget(block: Extract<BlockObjectResponse, { type: "link_to_page" }>) {
  const link = block.link_to_page;
  const pageId = link?.type === "page_id" ? notionIdOf(link.page_id) : undefined;
  if (pageId !== undefined) return { type: "page" as const, id: pageId };
  const databaseId = link?.type === "database_id" ? notionIdOf(link.database_id) : undefined;
  return databaseId === undefined ? undefined : { type: "database" as const, id: databaseId };
}

/** Numbered items count up within a run of siblings, from the list's start index (a positive integer). */
function listNumber(block: BlockObjectResponse, previous: number): number {
  if (block.type !== "numbered_list_item") return 0;
  if (previous !== 0) return previous + 1;
  const start = block.numbered_list_item?.list_start_index;
  return typeof start === "number" && Number.isSafeInteger(start) && start > 0 ? start : 1;
}

function childFrame(block: BlockObjectResponse, frame: Frame): Frame | undefined {
  if (block.type === "child_page" || block.type === "child_database") return undefined;
  if (block.type === "synced_block") {
    const original = notionIdOf(block.synced_block?.synced_from?.block_id);
    // A reference shows its original's children: they are read there.
    if (original !== undefined) return { ...newFrame(original, frame.depth), syncedOriginal: true };
  }
  const sections = meetingSections(block);
  if (sections !== undefined) {
    const [first, ...rest] = sections;
    if (first === undefined) return undefined;
    return { ...newFrame(first, frame.depth), nextParents: rest, unreadableAs: block.type };
  }
  if (!block.has_children) return undefined;
  if (block.type === "table") {
    const hasColumnHeader = block.table?.has_column_header === true;
    return {
      ...newFrame(block.id, frame.depth),
      table: { block, depth: frame.depth, hasColumnHeader, columns: 0, rows: [] },
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
