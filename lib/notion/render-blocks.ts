/**
 * Notion blocks → plain text lines (Markdown-flavoured, so structure survives chunking and embedding).
 * Pure functions: the adapter walks the blocks and supplies the nesting depth and list numbering.
 */
import type { BlockObjectResponse, RichTextItemResponse } from "@notionhq/client";

/** Where a block sits: its nesting depth below the page, and its number within a numbered list. */
export interface RenderContext {
  depth: number;
  /** 1-based position in the current run of numbered list items (restarts per list). */
  number?: number;
}

/** All segments joined; links kept as `[text](url)`, mentions as their text, equations as `$…$`. */
export function richTextToPlain(richText: readonly RichTextItemResponse[]): string {
  return richText.map(segmentText).join("");
}

function segmentText(segment: RichTextItemResponse): string {
  switch (segment.type) {
    case "text": {
      const url = segment.text.link?.url ?? segment.href;
      return url ? `[${segment.text.content}](${url})` : segment.text.content;
    }
    case "equation":
      return `$${segment.equation.expression}$`;
    default:
      return segment.plain_text;
  }
}

/**
 * The block's own text (its children are rendered separately), indented two spaces per depth;
 * undefined for block types that carry no text we index (images, embeds, child pages...).
 */
export function renderBlock(
  block: BlockObjectResponse,
  context: RenderContext = { depth: 0 },
): string | undefined {
  const line = blockText(block, context);
  return line === undefined ? undefined : indent(line, context.depth);
}

function blockText(block: BlockObjectResponse, context: RenderContext): string | undefined {
  switch (block.type) {
    case "paragraph":
      return richTextToPlain(block.paragraph.rich_text);
    case "heading_1":
      return `# ${richTextToPlain(block.heading_1.rich_text)}`;
    case "heading_2":
      return `## ${richTextToPlain(block.heading_2.rich_text)}`;
    case "heading_3":
      return `### ${richTextToPlain(block.heading_3.rich_text)}`;
    case "bulleted_list_item":
      return `- ${richTextToPlain(block.bulleted_list_item.rich_text)}`;
    case "numbered_list_item":
      return `${context.number ?? 1}. ${richTextToPlain(block.numbered_list_item.rich_text)}`;
    case "to_do":
      return `- [${block.to_do.checked ? "x" : " "}] ${richTextToPlain(block.to_do.rich_text)}`;
    case "quote":
      return prefixLines(richTextToPlain(block.quote.rich_text), "> ");
    case "code":
      return fence(richTextToPlain(block.code.rich_text), block.code.language);
    case "toggle":
      return richTextToPlain(block.toggle.rich_text);
    case "callout":
      return calloutText(block.callout.icon, richTextToPlain(block.callout.rich_text));
    case "divider":
      return "---";
    case "equation":
      return `$$${block.equation.expression}$$`;
    case "table_row":
      return `| ${block.table_row.cells.map(richTextToPlain).join(" | ")} |`;
    default:
      return undefined;
  }
}

/** Heading level 1–3 of a heading block, else undefined. */
export function headingLevel(block: BlockObjectResponse): 1 | 2 | 3 | undefined {
  if (block.type === "heading_1") return 1;
  if (block.type === "heading_2") return 2;
  if (block.type === "heading_3") return 3;
  return undefined;
}

/** The text of a heading block, without the `#` marks. */
export function headingText(block: BlockObjectResponse): string {
  if (block.type === "heading_1") return richTextToPlain(block.heading_1.rich_text);
  if (block.type === "heading_2") return richTextToPlain(block.heading_2.rich_text);
  if (block.type === "heading_3") return richTextToPlain(block.heading_3.rich_text);
  return "";
}

function fence(source: string, language: string): string {
  const tag = language === "plain text" ? "" : language;
  return `\`\`\`${tag}\n${source}\n\`\`\``;
}

function calloutText(icon: { type: string; emoji?: string } | null, content: string): string {
  return icon?.type === "emoji" && icon.emoji ? `${icon.emoji} ${content}` : content;
}

function prefixLines(content: string, prefix: string): string {
  return content
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

function indent(content: string, depth: number): string {
  return depth === 0 ? content : prefixLines(content, "  ".repeat(depth));
}
