/**
 * Notion rich text → plain text: every segment, in order. Links stay as `[text](url)`, inline code as
 * `` `code` ``, inline equations as `$…$`; mentions read as Notion shows them (`@Name`, page titles,
 * dates), which is their `plain_text`. A missing or null list, or a segment of an odd shape, reads as
 * empty rather than failing the page.
 */
import type { RichTextItemResponse } from "@notionhq/client";
import { listOf, objectOf, textOf } from "./untrusted.js";

export function richTextToPlain(richText: readonly RichTextItemResponse[] | null | undefined): string {
  let text = "";
  for (const segment of listOf<unknown>(richText)) text += segmentText(segment);
  return text;
}

function segmentText(item: unknown): string {
  const segment = objectOf(item);
  if (segment === undefined) return "";
  switch (segment.type) {
    case "text": {
      const body = objectOf(segment.text);
      const raw = typeof body?.content === "string" ? body.content : textOf(segment.plain_text);
      const content = objectOf(segment.annotations)?.code === true ? `\`${raw}\`` : raw;
      const url = textOf(objectOf(body?.link)?.url) || textOf(segment.href);
      return url ? `[${content}](${url})` : content;
    }
    case "equation":
      return `$${textOf(objectOf(segment.equation)?.expression)}$`;
    default:
      return textOf(segment.plain_text);
  }
}
