/**
 * How the splitter measures text: cl100k_base tokens (what the index uses), or UTF-16 characters
 * (the benchmark's comparison with a character length function).
 *
 * Tokens are counted in one pass per text: the text is cut with the tokenizer's own pre-token
 * pattern and each pre-token is counted once (cached: words repeat). BPE never merges across
 * pre-tokens, so a range that starts and ends on pre-token boundaries counts the sum of its
 * pre-tokens. A range cut elsewhere is corrected at its ends by counting a few characters there:
 * the pattern has no look-behind, so matching from a range's start depends only on what follows,
 * and it falls back in step with the whole text's pre-tokens within a word or two.
 */
import { CL100K_TOKEN_SPLIT_REGEX } from "gpt-tokenizer/encodingParams/constants";
import { countPreTokenBytes } from "./bpe.js";
import { countTokens, sliceAtCodePoint } from "./tokenizer.js";

/** A text indexed once, so that any range of it can be measured cheaply. */
export interface MeasuredText {
  readonly total: number;
  /** The size of `text.slice(start, end)` as a text of its own. */
  range(start: number, end: number): number;
}

export interface Measure {
  readonly unit: "tokens" | "characters";
  index(text: string): MeasuredText;
  count(text: string): number;
  /** A non-empty prefix of at most `limit` units, cut between code points. */
  prefix(text: string, limit: number): string;
}

export const characterMeasure: Measure = {
  unit: "characters",
  index: (text) => new CharacterIndex(text.length),
  count: (text) => text.length,
  prefix: (text, limit) => sliceAtCodePoint(text, limit),
};

export const tokenMeasure: Measure = {
  unit: "tokens",
  index: indexTokens,
  count: countTokens,
  prefix: (text, limit) => countedPrefix(text, limit),
};

class CharacterIndex implements MeasuredText {
  constructor(readonly total: number) {}

  range(start: number, end: number): number {
    return Math.max(0, end - start);
  }
}

// ---------------------------------------------------------------- tokens

const PRE_TOKEN = new RegExp(CL100K_TOKEN_SPLIT_REGEX.source, "gu");
/** For texts counted on their own, without disturbing PRE_TOKEN's position. */
const PRE_TOKEN_ALONE = new RegExp(CL100K_TOKEN_SPLIT_REGEX.source, "gu");
/** A range start inside a pre-token falls back in step within a few pre-tokens; past this, count it whole. */
const MAX_RESYNC_STEPS = 16;
/** Bounds the cache's memory; a new cache fills again from the text at hand. */
const MAX_CACHED_PRE_TOKENS = 100_000;
/** Longer pre-tokens (a huge unbroken "word") are rare: counted, not cached. */
const MAX_CACHED_LENGTH = 64;
/** gpt-tokenizer reads a byte order mark unlike the rank table does: such text is counted by gpt-tokenizer. */
const BYTE_ORDER_MARK = "\ufeff";
const preTokenCounts = new Map<string, number>();
const WHITESPACE = /\s/;

/** Forgets the counted pre-tokens (a benchmark's cold start). */
export function clearTokenCache(): void {
  preTokenCounts.clear();
}

/** Counts one pre-token through the cache; a single ASCII character is always one token. */
function countPreToken(preToken: string): number {
  if (preToken.length === 1 && preToken.charCodeAt(0) < 128) return 1;
  if (preToken.length > MAX_CACHED_LENGTH) return countUncached(preToken);
  let tokens = preTokenCounts.get(preToken);
  if (tokens === undefined) {
    tokens = countUncached(preToken);
    if (preTokenCounts.size >= MAX_CACHED_PRE_TOKENS) preTokenCounts.clear();
    preTokenCounts.set(preToken, tokens);
  }
  return tokens;
}

function countUncached(preToken: string): number {
  return preToken.includes(BYTE_ORDER_MARK) ? countTokens(preToken) : countPreTokenBytes(preToken);
}

/** Counts a text on its own, pre-token by pre-token. */
function countAlone(text: string): number {
  let tokens = 0;
  PRE_TOKEN_ALONE.lastIndex = 0;
  for (let match = PRE_TOKEN_ALONE.exec(text); match !== null; match = PRE_TOKEN_ALONE.exec(text)) {
    tokens += countPreToken(match[0]);
  }
  return tokens;
}

/** Characters looked at per allowed token when cutting (as tokenizer.ts's tokenPrefix): bounds the work. */
const CUT_WINDOW_CHARS_PER_TOKEN = 8;

/**
 * A non-empty prefix of at most `limit` tokens, cut between code points, close to the longest: the
 * window is shrunk in proportion to its count until it fits (two or three counts, each O(n log n) with
 * this module's byte-pair merge, where gpt-tokenizer's encode is quadratic on one long pre-token, and a
 * cut runs once per chunk of it).
 */
function countedPrefix(text: string, limit: number): string {
  let prefix = sliceAtCodePoint(text, limit * CUT_WINDOW_CHARS_PER_TOKEN);
  for (;;) {
    const count = countAlone(prefix);
    const shortest = sliceAtCodePoint(prefix, 1);
    if (count <= limit || prefix.length === shortest.length) return prefix;
    prefix = sliceAtCodePoint(
      prefix,
      Math.min(prefix.length - 1, Math.floor((prefix.length * limit) / count)),
    );
  }
}

function indexTokens(text: string): MeasuredText {
  let ends: Int32Array = new Int32Array((text.length >> 2) + 16);
  let cumulative: Int32Array = new Int32Array(ends.length);
  let size = 0;
  let total = 0;
  PRE_TOKEN.lastIndex = 0;
  for (let match = PRE_TOKEN.exec(text); match !== null; match = PRE_TOKEN.exec(text)) {
    total += countPreToken(match[0]);
    if (size === ends.length) {
      ends = grown(ends);
      cumulative = grown(cumulative);
    }
    ends[size] = PRE_TOKEN.lastIndex;
    cumulative[size] = total;
    size += 1;
  }
  return new TokenIndex(text, ends, cumulative, size, total);
}

function grown(array: Int32Array): Int32Array {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

class TokenIndex implements MeasuredText {
  constructor(
    private readonly text: string,
    /** End offset of each pre-token, ascending. */
    private readonly ends: Int32Array,
    /** Tokens up to and including each pre-token. */
    private readonly cumulative: Int32Array,
    private readonly size: number,
    readonly total: number,
  ) {}

  range(start: number, end: number): number {
    if (end <= start) return 0;
    const head = this.headToBoundary(start, end);
    if (head === undefined) return countAlone(this.text.slice(start, end));
    const last = this.lastBoundaryFor(end);
    if (last === end) return head.tokens + this.tokensBefore(end) - this.tokensBefore(head.boundary);
    if (last < head.boundary) return countAlone(this.text.slice(start, end));
    // `end` falls inside the pre-token that starts at `last`: a few characters.
    const tail = countAlone(this.text.slice(last, end));
    return head.tokens + this.tokensBefore(last) - this.tokensBefore(head.boundary) + tail;
  }

  /**
   * The last boundary from which `text.slice(…, end)` tokenizes as in the whole text. Whitespace just
   * before `end` tokenizes differently at the end of a text, so its run is counted from before it.
   */
  private lastBoundaryFor(end: number): number {
    let before = end;
    if (end < this.text.length) {
      while (before > 0 && WHITESPACE.test(this.text[before - 1] as string)) before -= 1;
    }
    const below = this.boundariesUpTo(before);
    return below === 0 ? 0 : (this.ends[below - 1] as number);
  }

  /**
   * From `start`, the first pre-token boundary of the whole text that matching from `start` also
   * reaches, and the tokens before it; undefined when that is not before `end`.
   */
  private headToBoundary(start: number, end: number): { boundary: number; tokens: number } | undefined {
    if (this.isBoundary(start)) return { boundary: start, tokens: 0 };
    let tokens = 0;
    // Matching stops at `end`: a pre-token that would run past it sends the range to countAlone anyway,
    // and matching on to the end of a long unbroken run, once per range, made cutting it quadratic.
    const upToEnd = end < this.text.length ? this.text.slice(0, end) : this.text;
    PRE_TOKEN.lastIndex = start;
    for (let step = 0; step < MAX_RESYNC_STEPS; step += 1) {
      const expected = PRE_TOKEN.lastIndex;
      const match = PRE_TOKEN.exec(upToEnd);
      if (match === null || match.index !== expected || PRE_TOKEN.lastIndex >= end) return undefined;
      tokens += countPreToken(match[0]);
      if (this.isBoundary(PRE_TOKEN.lastIndex)) return { boundary: PRE_TOKEN.lastIndex, tokens };
    }
    return undefined;
  }

  private isBoundary(position: number): boolean {
    if (position === 0) return true;
    const below = this.boundariesUpTo(position);
    return below > 0 && this.ends[below - 1] === position;
  }

  /** Tokens before a boundary. */
  private tokensBefore(boundary: number): number {
    if (boundary === 0) return 0;
    return this.cumulative[this.boundariesUpTo(boundary) - 1] as number;
  }

  /** How many pre-tokens end at or before `position` (binary search). */
  private boundariesUpTo(position: number): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.ends[middle] as number) <= position) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
