/**
 * Token and word counting.
 *
 * Encoding: cl100k_base, the encoding of OpenAI's embedding models (text-embedding-3-small/-large,
 * ada-002), so "tokens" here are what the embedder counts, bills and limits (8191 per input).
 * gpt-tokenizer's encoder is built on first use from the ranks in its data file
 * (lib/chunking/rank-table.ts), not from its megabyte of JavaScript ranks.
 */
import { GptEncoding } from "gpt-tokenizer/GptEncoding";
import { tokenBytesByRank } from "./rank-table.js";

export const ENCODING = "cl100k_base";

/** Notion text is data, not a prompt: `<|endoftext|>` and friends are counted as plain text, never rejected. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

let encoding: GptEncoding | undefined;

/** The encoder, over ranks as gpt-tokenizer takes them: a token's text, or its bytes when not UTF-8. */
function cl100k(): GptEncoding {
  if (encoding !== undefined) return encoding;
  // ignoreBOM: a token that starts with U+FEFF keeps it (by default TextDecoder drops it).
  const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const ranks = tokenBytesByRank().map((bytes) => {
    try {
      return utf8.decode(bytes);
    } catch {
      return [...bytes];
    }
  });
  encoding = GptEncoding.getEncodingApi(ENCODING, () => ranks);
  return encoding;
}

export function countTokens(text: string): number {
  return text === "" ? 0 : cl100k().countTokens(text, PLAIN_TEXT);
}

/**
 * Only this many characters per allowed token are looked at when cutting: enough for a full cut of
 * ordinary text, and it bounds the work on a huge unbroken run (BPE is superlinear in a run's length).
 */
const CUT_WINDOW_CHARS_PER_TOKEN = 8;

/**
 * A non-empty prefix of `text`, cut between code points, of at most `limit` (≥ 4) tokens, close to the
 * longest such prefix. For text no separator can split (a long URL, base64, CJK without punctuation).
 */
export function tokenPrefix(text: string, limit: number): { prefix: string; tokens: number } {
  const window = sliceAtCodePoint(text, limit * CUT_WINDOW_CHARS_PER_TOKEN);
  const tokens = cl100k().encode(window, PLAIN_TEXT);
  if (tokens.length <= limit) return { prefix: window, tokens: tokens.length };
  // The first `limit` tokens decode to about the right length; a token ending inside a character, or the
  // shorter text tokenizing differently, is caught by the count, and the cut shrinks in proportion.
  let end = cl100k().decode(tokens.slice(0, limit)).length;
  for (;;) {
    const prefix = sliceAtCodePoint(window, end);
    const count = countTokens(prefix);
    if (count <= limit) return { prefix, tokens: count };
    end = Math.min(prefix.length - 1, Math.floor((prefix.length * limit) / count));
  }
}

/** The first `end` UTF-16 units, moved so as not to split a surrogate pair, and never empty. */
export function sliceAtCodePoint(text: string, end: number): string {
  const firstCodePointLength = (text.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
  let cut = Math.max(end, firstCodePointLength);
  if (cut < text.length && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return text.slice(0, cut);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Han ideographs and kana: written without spaces, so each character counts as one word. */
const CJK_CHAR = "\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}";
/** One CJK character, or a run of other non-space characters (punctuation included). */
const WORD_OR_CJK = new RegExp(`[${CJK_CHAR}]|[^\\s${CJK_CHAR}]+`, "gu");
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Words as a reader counts them: whitespace-separated runs, each CJK character one word.
 * Runs of punctuation alone ("—", "。", "-") are not words.
 */
export function countWords(text: string): number {
  let words = 0;
  for (const match of text.matchAll(WORD_OR_CJK)) {
    if (HAS_LETTER_OR_DIGIT.test(match[0])) words += 1;
  }
  return words;
}
