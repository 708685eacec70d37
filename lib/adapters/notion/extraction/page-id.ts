import { PermanentError } from "../../../shared/errors.js";

/**
 * Accepts a Notion page or database id (dashed or not) or a Notion URL, and returns the dashed id.
 * URLs end with the id: `https://www.notion.so/Title-0123456789abcdef0123456789abcdef?v=…`.
 */
export function parseNotionId(input: string): string {
  const trimmed = input.trim();
  let candidate = trimmed;
  if (/^https?:\/\//i.test(trimmed)) {
    const url = new URL(trimmed);
    candidate = url.pathname.split("/").filter(Boolean).pop() ?? "";
  }
  const match = candidate.replace(/-/g, "").match(/([0-9a-f]{32})$/i);
  if (!match?.[1]) throw new PermanentError(`"${input}" is not a Notion page or database id or URL`);
  const hex = match[1].toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
