/**
 * One Notion block → its own text, Markdown-flavoured so that structure survives chunking and
 * embedding (the walk renders its children, and tables and links, which need more than the block).
 * `undefined`: a type we do not index (the walk skips and counts it). `""`: a supported block with no
 * text of its own (a column, an image without caption or name).
 * Notion-hosted file URLs expire within the hour, so they are never part of the text.
 * A block's fields are read defensively (untrusted.ts): a missing or mistyped one reads as empty.
 */
import type { BlockObjectResponse, RichTextItemResponse } from "@notionhq/client";
import { richTextToPlain } from "./rich-text.js";
import { listOf, objectOf, textOf } from "./untrusted.js";

/** Where a block sits: its indentation depth, and its number within a numbered list. */
export interface RenderContext {
  depth: number;
  /** 1-based position in the current run of numbered list items. */
  number?: number;
  /** How the run counts, as its first item says. */
  listFormat?: ListFormat;
}

export type ListFormat = "numbers" | "letters" | "roman";

type Block<T extends BlockObjectResponse["type"]> = Extract<BlockObjectResponse, { type: T }>;

export function renderBlock(
  block: BlockObjectResponse,
  context: RenderContext = { depth: 0 },
): string | undefined {
  const text = ownText(block, context);
  return text === undefined || text === "" ? text : indent(text, context.depth);
}

function ownText(block: BlockObjectResponse, context: RenderContext): string | undefined {
  switch (block.type) {
    case "paragraph":
      return richTextToPlain(block.paragraph?.rich_text);
    case "heading_1":
    case "heading_2":
    case "heading_3":
    case "heading_4":
      return `${"#".repeat(headingLevel(block) ?? 1)} ${headingText(block)}`;
    case "bulleted_list_item":
      return `- ${richTextToPlain(block.bulleted_list_item?.rich_text)}`;
    case "numbered_list_item":
      return `${listMarker(context.number ?? 1, context.listFormat ?? block.numbered_list_item?.list_format)}. ${richTextToPlain(block.numbered_list_item?.rich_text)}`;
    case "to_do":
      return `- [${block.to_do?.checked === true ? "x" : " "}] ${richTextToPlain(block.to_do?.rich_text)}`;
    case "toggle":
      return richTextToPlain(block.toggle?.rich_text);
    case "quote":
      return prefixLines(richTextToPlain(block.quote?.rich_text), "> ");
    case "callout":
      return calloutText(block);
    case "code":
      return codeText(block);
    case "equation":
      return `$$${textOf(block.equation?.expression)}$$`;
    case "divider":
      return "---";
    case "bookmark":
      return `Bookmark: ${linkText(block.bookmark?.caption, textOf(block.bookmark?.url))}`;
    case "embed":
      return `Embed: ${linkText(block.embed?.caption, textOf(block.embed?.url))}`;
    case "link_preview":
      return `Link: ${textOf(block.link_preview?.url)}`;
    case "image":
      return mediaText("Image", block.image);
    case "video":
      return mediaText("Video", block.video);
    case "pdf":
      return mediaText("PDF", block.pdf);
    case "audio":
      return mediaText("Audio", block.audio);
    case "file":
      return mediaText("File", block.file);
    case "child_page":
      return `Page: [${textOf(block.child_page?.title)}](${notionUrl(block.id)})`;
    case "child_database":
      return `Database: ${textOf(block.child_database?.title)}`;
    case "table_row":
      return tableRowText(block.table_row?.cells);
    case "column_list":
    case "column":
    case "synced_block":
    case "table":
      return "";
    case "meeting_notes":
    case "transcription":
      return meetingNotesText(block);
    default:
      return olderShapeText(block);
  }
}

/** `Meeting notes: Title (start)`; its sections are read as its content (block-walk.ts). */
function meetingNotesText(block: BlockObjectResponse): string {
  const content = objectOf((block as unknown as Record<string, unknown>)[block.type]);
  const title = richTextToPlain(listOf<RichTextItemResponse>(content?.title));
  const start = textOf(objectOf(content?.calendar_event)?.start_time);
  return `Meeting notes: ${title || "Untitled"}${start ? ` (${start})` : ""}`;
}

/**
 * Block types the API still returns from old pages but no longer describes (absent from the client's
 * types): a `template` block (deprecated) keeps its button text; its children are walked as usual.
 */
function olderShapeText(block: BlockObjectResponse): string | undefined {
  const { type } = block as { type: string };
  if (type !== "template") return undefined;
  const content = objectOf((block as unknown as Record<string, unknown>).template);
  return richTextToPlain(listOf<RichTextItemResponse>(content?.rich_text));
}

/** Heading level 1–4 of a heading block, else undefined. */
export function headingLevel(block: BlockObjectResponse): number | undefined {
  const match = /^heading_([1-4])$/.exec(block.type);
  return match === null ? undefined : Number(match[1]);
}

/** The text of a heading block, without the `#` marks (`render`: with link markup, or as a label). */
export function headingText(
  block: BlockObjectResponse,
  render: (richText: RichTextItemResponse[] | undefined) => string = richTextToPlain,
): string {
  switch (block.type) {
    case "heading_1":
      return render(block.heading_1?.rich_text);
    case "heading_2":
      return render(block.heading_2?.rich_text);
    case "heading_3":
      return render(block.heading_3?.rich_text);
    case "heading_4":
      return render(block.heading_4?.rich_text);
    default:
      return "";
  }
}

/** `| a |  | c |`: every cell in place, empty ones too; a row stays on one line. */
export function tableRowText(cells: RichTextItemResponse[][] | undefined): string {
  const texts = listOf<RichTextItemResponse[]>(cells).map((cell) =>
    richTextToPlain(cell)
      .replace(/\s*\n\s*/g, " ")
      .replaceAll("|", "\\|"),
  );
  return `| ${texts.join(" | ")} |`;
}

/** The Markdown line under a header row, one `---` per column. */
export function tableHeaderRule(columns: number): string {
  return `|${" --- |".repeat(Math.max(1, columns))}`;
}

/** How many cells a row has (its `| --- |` rule must match the header row's own cells). */
export function tableRowWidth(cells: RichTextItemResponse[][] | undefined): number {
  return listOf(cells).length;
}

/** A link to another page or database, with its title when the integration can see it. */
export function linkToPageText(id: string, title: string | undefined): string {
  return `Link to page: ${title === undefined ? notionUrl(id) : `[${title}](${notionUrl(id)})`}`;
}

export function notionUrl(id: string): string {
  return `https://www.notion.so/${id.replaceAll("-", "")}`;
}

/** Roman numerals stop at 3999 (past it they would need a bar); larger numbers are written in digits. */
const LARGEST_ROMAN = 3999;

function listMarker(number: number, format: ListFormat | undefined): string {
  if (format === "letters") return letters(number);
  if (format === "roman" && number <= LARGEST_ROMAN) return roman(number);
  return String(number);
}

function letters(number: number): string {
  let text = "";
  for (let rest = number; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    text = String.fromCharCode(97 + ((rest - 1) % 26)) + text;
  }
  return text;
}

const ROMAN: [number, string][] = [
  [1000, "m"],
  [900, "cm"],
  [500, "d"],
  [400, "cd"],
  [100, "c"],
  [90, "xc"],
  [50, "l"],
  [40, "xl"],
  [10, "x"],
  [9, "ix"],
  [5, "v"],
  [4, "iv"],
  [1, "i"],
];

function roman(number: number): string {
  let text = "";
  let rest = number;
  for (const [value, numeral] of ROMAN) {
    for (; rest >= value; rest -= value) text += numeral;
  }
  return text;
}

function calloutText(block: Block<"callout">): string {
  const content = richTextToPlain(block.callout?.rich_text);
  const icon = block.callout?.icon;
  if (icon?.type === "emoji") return `${textOf(icon.emoji)} ${content}`;
  if (icon?.type === "custom_emoji") return `:${textOf(icon.custom_emoji?.name)}: ${content}`;
  return content;
}

function codeText(block: Block<"code">): string {
  const language = textOf(block.code?.language);
  const tag = language === "plain text" ? "" : language;
  const fenced = `\`\`\`${tag}\n${richTextToPlain(block.code?.rich_text)}\n\`\`\``;
  const caption = richTextToPlain(block.code?.caption);
  return caption === "" ? fenced : `${fenced}\n${caption}`;
}

function linkText(caption: RichTextItemResponse[] | undefined, url: string): string {
  const label = richTextToPlain(caption);
  return label === "" ? url : `[${label}](${url})`;
}

type Media = Block<"image">["image"] | Block<"file">["file"];

/** Caption and file name; the URL only when it is an external one (Notion's own URLs expire). */
function mediaText(label: string, media: Media | undefined): string {
  const fields = objectOf(media) ?? {};
  const details = [textOf(fields.name), richTextToPlain(listOf(fields.caption))]
    .filter((part) => part !== "")
    .join(" — ");
  const externalUrl = fields.type === "external" ? textOf(objectOf(fields.external)?.url) : "";
  if (externalUrl !== "") return `${label}: [${details || externalUrl}](${externalUrl})`;
  return details === "" ? "" : `${label}: ${details}`;
}

function prefixLines(content: string, prefix: string): string {
  return content
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

/** Two spaces per level of nesting, on every line. */
export function indent(content: string, depth: number): string {
  return depth === 0 ? content : prefixLines(content, "  ".repeat(depth));
}
