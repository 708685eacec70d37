/**
 * Text cleaning before splitting (the process rule's cleaning flags).
 * Every pattern here is linear-time: a match can only start at a fixed prefix or at the start of a
 * run, so no input string makes cleaning slow, and nothing here throws.
 */
import type { ProcessRule } from "../core/model.js";

/** \r\n, lone \r and the Unicode line/paragraph separators all become \n. */
const LINE_BREAK = /\r\n?|[\u2028\u2029]/g;
/** C0 controls except \t and \n, DEL, C1 controls, and the noncharacters U+FFFE/U+FFFF. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;
/**
 * A high surrogate not followed by a low one, or a low one not preceded by a high one: replaced with
 * U+FFFD, as extraction does (lib/adapters/notion/extraction/well-formed.ts), so that a text hashes and embeds as it is stored.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const HORIZONTAL_SPACE = "[ \\t\\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000]";
/**
 * Two or more, after something on the line: a single tab may separate table cells, so it is kept,
 * and indentation at the start of a line is structure (nested items, code), so it is kept too.
 */
const HORIZONTAL_SPACE_RUN = new RegExp(`(?<=[^\\s])${HORIZONTAL_SPACE}{2,}`, "g");
const THREE_OR_MORE_NEWLINES = /\n{3,}/g;

/** `[label](url)` and `![alt](url)`: the label is content, the address is not. No "[" in the label, so
 * a run of "[" cannot make matching quadratic. */
const MARKDOWN_LINK = /!?\[([^[\]\n]*)\]\((?:https?:\/\/|mailto:|www\.)[^\s)]*\)/gi;
/** A bare address, without a sentence's closing punctuation. */
const URL = /(?:https?:\/\/|www\.)[^\s<>"]*[^\s<>".,;:!?')\]]/gi;
/** Starts only where a run of local-part characters starts, so a long word without "@" stays linear. */
const EMAIL = /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

export function cleanText(
  text: string,
  rule: Pick<ProcessRule, "removeExtraSpaces" | "removeUrlsEmails">,
): string {
  let cleaned = removeInvalidCharacters(text);
  if (rule.removeUrlsEmails) cleaned = removeUrlsEmails(cleaned);
  if (rule.removeExtraSpaces) cleaned = collapseWhitespace(cleaned);
  return cleaned;
}

function removeInvalidCharacters(text: string): string {
  return text.replace(LINE_BREAK, "\n").replace(CONTROL, "").replace(LONE_SURROGATE, "\uFFFD");
}

function removeUrlsEmails(text: string): string {
  return text.replace(MARKDOWN_LINK, "$1").replace(URL, "").replace(EMAIL, "");
}

/** Runs of spaces/tabs inside a line become one space, lines lose trailing spaces, blank-line runs keep one blank line. */
function collapseWhitespace(text: string): string {
  return text
    .split("\n")
    .map((line) => line.replace(HORIZONTAL_SPACE_RUN, " ").trimEnd())
    .join("\n")
    .replace(THREE_OR_MORE_NEWLINES, "\n\n");
}
