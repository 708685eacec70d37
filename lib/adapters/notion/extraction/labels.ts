/**
 * A document's title and its heading path are repeated in the metadata of every segment and vector
 * (Pinecone allows 40 KB per vector, DynamoDB 400 KB per item), while Notion lets a title or heading
 * run to 200,000 characters. Each is cut to MAX_LABEL_CHARS, between code points, with "…": the full
 * text of a heading is still in the content.
 */
import { wellFormed } from "./well-formed.js";

export const MAX_LABEL_CHARS = 300;

/** Well-formed and at most MAX_LABEL_CHARS long. */
export function label(text: string): string {
  const whole = wellFormed(text);
  if (whole.length <= MAX_LABEL_CHARS) return whole;
  let cut = MAX_LABEL_CHARS - 1;
  const last = whole.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1; // never split a surrogate pair
  return `${whole.slice(0, cut)}…`;
}
