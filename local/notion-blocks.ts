/**
 * Builders of Notion content for the stand-in's workspace (local/notion-workspace.ts): rich text and
 * blocks in the shapes of Notion API version 2025-09-03, as tests and the demo workspace write them.
 */
import { compactId } from "./notion-ids.js";

export interface Annotations {
  bold: boolean;
  italic: boolean;
  strikethrough: boolean;
  underline: boolean;
  code: boolean;
  color: string;
}

/** A rich text item shaped like Notion's (`type` text, mention or equation). */
export type RichText = {
  annotations: Annotations;
  plain_text: string;
  href: string | null;
} & (
  | { type: "text"; text: { content: string; link: { url: string } | null } }
  | { type: "mention"; mention: Record<string, unknown> }
  | { type: "equation"; equation: { expression: string } }
);

/** Text for a builder: a plain string or ready-made rich text items. */
export type Inline = string | RichText[];

/** A block to store: its type, its type-specific content and its children. */
export interface BlockSpec {
  id?: string;
  type: string;
  content: Record<string, unknown>;
  children?: BlockSpec[];
}

const PLAIN: Annotations = {
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: "default",
};

export function text(content: string, options: { href?: string } & Partial<Annotations> = {}): RichText {
  const { href, ...annotations } = options;
  return {
    type: "text",
    text: { content, link: href === undefined ? null : { url: href } },
    annotations: { ...PLAIN, ...annotations },
    plain_text: content,
    href: href ?? null,
  };
}

export function equation(expression: string): RichText {
  return {
    type: "equation",
    equation: { expression },
    annotations: PLAIN,
    plain_text: expression,
    href: null,
  };
}

/** A mention of another page: its plain text is the page title, as Notion renders it. */
export function pageMention(pageId: string, title: string): RichText {
  return {
    type: "mention",
    mention: { type: "page", page: { id: pageId } },
    annotations: PLAIN,
    plain_text: title,
    href: `https://www.notion.so/${compactId(pageId)}`,
  };
}

export function richText(inline: Inline): RichText[] {
  return typeof inline === "string" ? [text(inline)] : inline;
}

/** Any block type, for types without a dedicated builder (image, embed, child_database...). */
export function block(type: string, content: Record<string, unknown>, children?: BlockSpec[]): BlockSpec {
  return children === undefined ? { type, content } : { type, content, children };
}

export const paragraph = (inline: Inline, children?: BlockSpec[]) =>
  block("paragraph", { rich_text: richText(inline), color: "default" }, children);

function heading(level: 1 | 2 | 3, inline: Inline, children?: BlockSpec[]): BlockSpec {
  const content = { rich_text: richText(inline), is_toggleable: children !== undefined, color: "default" };
  return block(`heading_${level}`, content, children);
}

export const heading1 = (inline: Inline, children?: BlockSpec[]) => heading(1, inline, children);
export const heading2 = (inline: Inline, children?: BlockSpec[]) => heading(2, inline, children);
export const heading3 = (inline: Inline, children?: BlockSpec[]) => heading(3, inline, children);

export const bulleted = (inline: Inline, children?: BlockSpec[]) =>
  block("bulleted_list_item", { rich_text: richText(inline), color: "default" }, children);

export const numbered = (inline: Inline, children?: BlockSpec[]) =>
  block("numbered_list_item", { rich_text: richText(inline), color: "default" }, children);

export const toDo = (inline: Inline, checked: boolean, children?: BlockSpec[]) =>
  block("to_do", { rich_text: richText(inline), checked, color: "default" }, children);

export const quote = (inline: Inline, children?: BlockSpec[]) =>
  block("quote", { rich_text: richText(inline), color: "default" }, children);

export const code = (source: string, language = "plain text") =>
  block("code", { caption: [], rich_text: [text(source)], language });

export const toggle = (inline: Inline, children: BlockSpec[]) =>
  block("toggle", { rich_text: richText(inline), color: "default" }, children);

export const callout = (inline: Inline, emoji: string, children?: BlockSpec[]) =>
  block(
    "callout",
    { rich_text: richText(inline), icon: { type: "emoji", emoji }, color: "gray_background" },
    children,
  );

export const divider = () => block("divider", {});
