/**
 * Notion rich text → plain text: every segment, in order. Links stay as `[text](url)`, inline code as
 * `` `code` ``, inline equations as `$…$`; mentions read as Notion shows them (`@Name`, page titles,
 * dates), which is their `plain_text`.
 */
import type { RichTextItemResponse } from "@notionhq/client";

export function richTextToPlain(richText: readonly RichTextItemResponse[]): string {
  let text = "";
  for (const segment of richText) text += segmentText(segment);
  return text;
}

function segmentText(segment: RichTextItemResponse): string {
  switch (segment.type) {
    case "text": {
      const content = segment.annotations.code ? `\`${segment.text.content}\`` : segment.text.content;
      const url = segment.text.link?.url ?? segment.href;
      return url ? `[${content}](${url})` : content;
    }
    case "equation":
      return `$${segment.equation.expression}$`;
    default:
      return segment.plain_text;
  }
}
