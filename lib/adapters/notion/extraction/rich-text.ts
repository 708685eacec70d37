/**
 * Notion rich text → text: every segment, in order (docs/notion-extraction-and-chunking.md).
 * - Links stay as `[text](url)`; adjacent segments that share a link (Notion splits a link wherever
 *   the formatting changes inside it) become one link, so "blue" never reads `[bl](u)[ue](u)`.
 * - A link between pages arrives as a relative `/<page id>` path: only its text is kept, as Notion
 *   shows it (the path is noise to a search).
 * - A link mention (`link_mention`) reads as Notion shows it: its page title, linked to its URL.
 * - Inline code as `` `code` ``, inline equations as `$…$`; other mentions read as Notion shows them
 *   (`@Name`, page titles, dates), which is their `plain_text`.
 * A missing or null list, or a segment of an odd shape, reads as empty rather than failing the page.
 * Labels (titles, heading paths) take the plain text alone, without link or code markup.
 */
import type { RichTextItemResponse } from "@notionhq/client";
import { listOf, objectOf, textOf } from "./untrusted.js";

/** One segment as it reads: its visible text, and the absolute link it carries, if any. */
interface Piece {
  text: string;
  link: string;
}

export function richTextToPlain(richText: readonly RichTextItemResponse[] | null | undefined): string {
  let out = "";
  let pending: Piece | undefined;
  const flush = () => {
    if (pending === undefined) return;
    out += pending.link ? `[${pending.text}](${pending.link})` : pending.text;
    pending = undefined;
  };
  for (const segment of listOf<unknown>(richText)) {
    const piece = pieceOf(segment, true);
    if (pending !== undefined && piece.link !== "" && piece.link === pending.link) {
      pending.text += piece.text;
      continue;
    }
    flush();
    pending = piece;
  }
  flush();
  return out;
}

/** The text a person sees, without link or code markup: for titles and heading paths. */
export function richTextToLabel(richText: readonly RichTextItemResponse[] | null | undefined): string {
  return listOf<unknown>(richText)
    .map((segment) => pieceOf(segment, false).text)
    .join("");
}

function pieceOf(item: unknown, markup: boolean): Piece {
  const segment = objectOf(item);
  if (segment === undefined) return { text: "", link: "" };
  switch (segment.type) {
    case "text": {
      const body = objectOf(segment.text);
      const raw = typeof body?.content === "string" ? body.content : textOf(segment.plain_text);
      const code = markup && objectOf(segment.annotations)?.code === true;
      const url = textOf(objectOf(body?.link)?.url) || textOf(segment.href);
      return { text: code ? `\`${raw}\`` : raw, link: markup ? absolute(url) : "" };
    }
    case "equation": {
      const expression = textOf(objectOf(segment.equation)?.expression);
      return { text: markup ? `$${expression}$` : expression, link: "" };
    }
    case "mention": {
      const mention = objectOf(segment.mention);
      const linkMention = mention?.type === "link_mention" ? objectOf(mention.link_mention) : undefined;
      if (linkMention !== undefined) {
        const href = textOf(linkMention.href) || textOf(segment.href);
        const title = textOf(linkMention.title) || textOf(segment.plain_text) || href;
        return { text: title, link: markup ? absolute(href) : "" };
      }
      return { text: textOf(segment.plain_text), link: "" };
    }
    default:
      return { text: textOf(segment.plain_text), link: "" };
  }
}

/** A link worth keeping: absolute; a relative `/<page id>` path between pages is dropped. */
function absolute(url: string): string {
  return url.startsWith("/") ? "" : url;
}
