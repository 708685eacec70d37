/**
 * Splits extracted blocks into chunks of at most `rule.maxTokens` tokens, with up to `rule.overlap`
 * tokens of the previous chunk repeated at the start of the next.
 *
 * How: every block becomes one or more pieces, each counted once. A block that fits is one piece; a
 * larger one is split by the custom separator (custom mode only), then paragraph, line, sentence and
 * word, and a word still too large is cut by tokens (between code points). Pieces are packed greedily,
 * estimating a chunk's size as the sum of its pieces and joiners; since token counts are not additive
 * across a join, each chunk is then counted for real and backs off a piece at a time while it is over.
 *
 * Every piece remembers the exact text (`joiner`) that separated it from the previous one, so a chunk
 * reproduces the source text exactly, except for the separator dropped at its start.
 */
import { PermanentError } from "../errors.js";
import type { ProcessRule } from "../model.js";
import type { ExtractedBlock } from "../ports.js";
import { countTokens, countWords, tokenPrefix, tokensWithin } from "./tokenizer.js";

export interface Chunk {
  content: string;
  /** The true token count of `content`. */
  tokens: number;
  wordCount: number;
  /** Anchor of the chunk's first block. */
  blockId: string;
  sourceUrl: string;
  headingPath: string[];
}

export const MIN_CHUNK_TOKENS = 50;
export const MAX_CHUNK_TOKENS = 8000;

/** Throws a PermanentError naming the first thing wrong with the rule; returns it unchanged when valid. */
export function validateProcessRule(rule: ProcessRule): ProcessRule {
  const reason = invalidRuleReason(rule);
  if (reason !== undefined) throw new PermanentError(`invalid process rule: ${reason}`);
  return rule;
}

function invalidRuleReason(rule: ProcessRule): string | undefined {
  const { mode, maxTokens, overlap, separator } = rule;
  if (mode !== "automatic" && mode !== "custom") {
    return `mode must be "automatic" or "custom", got ${String(mode)}`;
  }
  if (!Number.isInteger(maxTokens) || maxTokens < MIN_CHUNK_TOKENS || maxTokens > MAX_CHUNK_TOKENS) {
    return `maxTokens must be an integer from ${MIN_CHUNK_TOKENS} to ${MAX_CHUNK_TOKENS}, got ${String(maxTokens)}`;
  }
  if (!Number.isInteger(overlap) || overlap < 0) {
    return `overlap must be a non-negative integer, got ${String(overlap)}`;
  }
  if (overlap * 2 >= maxTokens) {
    return `overlap must be less than half of maxTokens (${maxTokens}), got ${overlap}`;
  }
  if (separator !== undefined && (typeof separator !== "string" || separator === "")) {
    return "separator must be a non-empty string when set";
  }
  if (typeof rule.removeExtraSpaces !== "boolean" || typeof rule.removeUrlsEmails !== "boolean") {
    return "removeExtraSpaces and removeUrlsEmails must be booleans";
  }
  return undefined;
}

/** Packs the blocks into chunks; see the module comment. The rule is validated first. */
export function splitBlocks(blocks: ExtractedBlock[], rule: ProcessRule): Chunk[] {
  validateProcessRule(rule);
  const splitter = new Splitter(rule);
  const pieces = blocks.flatMap((block, index) => splitter.blockPieces(block.text, index));
  return splitter.pack(pieces).map((packed) => toChunk(packed, blocks));
}

// ---------------------------------------------------------------- pieces

interface Piece {
  text: string;
  /** Text between the previous piece and this one; dropped when this piece starts a chunk. */
  joiner: string;
  tokens: number;
  /** Index of the block it came from. */
  block: number;
}

interface Part {
  text: string;
  joiner: string;
}

interface PackedChunk {
  pieces: Piece[];
  content: string;
  tokens: number;
}

const BLOCK_JOINER = "\n\n";

// Each separator can only start matching at a fixed character, so splitting stays linear in the text.
const PARAGRAPH = /\n[^\S\n]*\n\s*/gu;
const LINE = /\n\s*/gu;
/** After . ! ? … followed by whitespace, or after a CJK full stop (no space follows it in CJK text). */
const SENTENCE = /(?<=[.!?…])\s+|(?<=[。！？])\s*/gu;
const WORD = /\s+/gu;

class Splitter {
  private readonly maxTokens: number;
  private readonly overlap: number;
  /** Coarsest first; a piece still too large after the last one is cut by tokens. */
  private readonly separators: RegExp[];
  private readonly joinerTokens = new Map<string, number>();

  constructor(rule: ProcessRule) {
    this.maxTokens = rule.maxTokens;
    this.overlap = rule.overlap;
    const custom = rule.mode === "custom" && rule.separator ? [literalPattern(rule.separator)] : [];
    this.separators = [...custom, PARAGRAPH, LINE, SENTENCE, WORD];
  }

  /** A block's pieces; none for a blank block. */
  blockPieces(text: string, block: number): Piece[] {
    const trimmed = text.trim();
    return trimmed === "" ? [] : this.piecesOf(trimmed, BLOCK_JOINER, block, 0);
  }

  private piecesOf(text: string, joiner: string, block: number, level: number): Piece[] {
    const tokens = tokensWithin(text, this.maxTokens);
    if (tokens !== undefined) return [{ text, joiner, tokens, block }];
    return this.splitOversized(text, joiner, block, level);
  }

  private splitOversized(text: string, joiner: string, block: number, level: number): Piece[] {
    const separator = this.separators[level];
    if (separator === undefined) return this.cutByTokens(text, joiner, block);
    const parts = splitAt(text, separator);
    if (parts.length === 1) return this.splitOversized(text, joiner, block, level + 1);
    return parts.flatMap((part, index) =>
      this.piecesOf(part.text, index === 0 ? joiner : part.joiner, block, level + 1),
    );
  }

  /** A "word" larger than a chunk (a long URL, base64, CJK without punctuation): cut by tokens. */
  private cutByTokens(text: string, joiner: string, block: number): Piece[] {
    const pieces: Piece[] = [];
    for (let rest = text; rest !== ""; ) {
      const { prefix, tokens } = tokenPrefix(rest, this.maxTokens);
      pieces.push({ text: prefix, joiner: pieces.length === 0 ? joiner : "", tokens, block });
      rest = rest.slice(prefix.length);
    }
    return pieces;
  }

  // -------------------------------------------------------------- packing

  pack(pieces: Piece[]): PackedChunk[] {
    const chunks: PackedChunk[] = [];
    let overlap: Piece[] = [];
    let next = 0;
    while (next < pieces.length) {
      const { chunk, end } = this.fillChunk(pieces, next, overlap);
      chunks.push(chunk);
      next = end;
      overlap = next < pieces.length ? this.trailingOverlap(chunk.pieces) : [];
    }
    return chunks;
  }

  /** One chunk: the overlap, then pieces from `start` while the estimate fits, then a true count. */
  private fillChunk(pieces: Piece[], start: number, overlap: Piece[]): { chunk: PackedChunk; end: number } {
    const chunkPieces = this.overlapWithRoomFor(overlap, pieces[start] as Piece);
    let estimate = this.estimate(chunkPieces);
    let end = start;
    for (; end < pieces.length; end += 1) {
      const piece = pieces[end] as Piece;
      const cost =
        chunkPieces.length === 0 ? piece.tokens : estimate + this.tokensOfJoiner(piece.joiner) + piece.tokens;
      if (chunkPieces.length > 0 && cost > this.maxTokens) break;
      chunkPieces.push(piece);
      estimate = cost;
    }
    const { chunk, returned } = this.backOffToFit(chunkPieces, end - start);
    return { chunk, end: end - returned };
  }

  /** Leading overlap pieces are dropped until the chunk's first new piece fits after them. */
  private overlapWithRoomFor(overlap: Piece[], first: Piece): Piece[] {
    const kept = [...overlap];
    while (kept.length > 0 && this.estimate([...kept, first]) > this.maxTokens) kept.shift();
    return kept;
  }

  /**
   * Shrinks the chunk (in place) until its true count fits: new pieces go back to the queue while there
   * are several, then overlap pieces are dropped. A single piece alone always fits: it was counted alone.
   */
  private backOffToFit(chunkPieces: Piece[], newPieces: number): { chunk: PackedChunk; returned: number } {
    let returned = 0;
    let content = joinPieces(chunkPieces);
    let tokens = countTokens(content);
    while (tokens > this.maxTokens) {
      if (newPieces - returned > 1) {
        chunkPieces.pop();
        returned += 1;
      } else {
        chunkPieces.shift();
      }
      content = joinPieces(chunkPieces);
      tokens = countTokens(content);
    }
    return { chunk: { pieces: chunkPieces, content, tokens }, returned };
  }

  private estimate(pieces: Piece[]): number {
    return pieces.reduce(
      (total, piece, index) => total + piece.tokens + (index === 0 ? 0 : this.tokensOfJoiner(piece.joiner)),
      0,
    );
  }

  private tokensOfJoiner(joiner: string): number {
    let tokens = this.joinerTokens.get(joiner);
    if (tokens === undefined) {
      tokens = countTokens(joiner);
      this.joinerTokens.set(joiner, tokens);
    }
    return tokens;
  }

  // -------------------------------------------------------------- overlap

  /** The chunk's trailing text worth at most `overlap` tokens, as pieces, checked by a true count. */
  private trailingOverlap(chunkPieces: Piece[]): Piece[] {
    if (this.overlap === 0) return [];
    const tail = this.takeTrailing(chunkPieces, 0);
    while (tail.length > 0 && countTokens(joinPieces(tail)) > this.overlap) tail.shift();
    return tail;
  }

  /**
   * Trailing items whose estimated tokens fit the overlap budget, preferring coarse boundaries: only
   * when not even the last item fits is it split at the next separator to take its trailing parts.
   */
  private takeTrailing(items: Piece[], level: number): Piece[] {
    const taken: Piece[] = [];
    let total = 0;
    for (let index = items.length - 1; index >= 0; index -= 1) {
      const item = items[index] as Piece;
      const joinerTokens = taken[0] === undefined ? 0 : this.tokensOfJoiner(taken[0].joiner);
      const cost = total + item.tokens + joinerTokens;
      if (cost > this.overlap) {
        return taken.length === 0 ? this.trailingPartsOf(item, level) : taken;
      }
      taken.unshift(item);
      total = cost;
    }
    return taken;
  }

  /** Splits one piece too large for the overlap at the first separator that divides it; no cutting. */
  private trailingPartsOf(piece: Piece, level: number): Piece[] {
    for (let current = level; current < this.separators.length; current += 1) {
      const separator = this.separators[current] as RegExp;
      const parts = splitAt(piece.text, separator);
      if (parts.length > 1) return this.takeTrailing(this.countedTail(parts, piece), current + 1);
    }
    return [];
  }

  /** Counts parts from the end only as far as the overlap budget could reach. */
  private countedTail(parts: Part[], piece: Piece): Piece[] {
    const counted: Piece[] = [];
    let total = 0;
    for (let index = parts.length - 1; index >= 0 && total <= this.overlap; index -= 1) {
      const part = parts[index] as Part;
      const tokens = tokensWithin(part.text, this.overlap) ?? this.overlap + 1;
      const joiner = index === 0 ? piece.joiner : part.joiner;
      counted.unshift({ text: part.text, joiner, tokens, block: piece.block });
      total += tokens;
    }
    return counted;
  }
}

// ---------------------------------------------------------------- helpers

function joinPieces(pieces: Piece[]): string {
  return pieces.map((piece, index) => (index === 0 ? piece.text : piece.joiner + piece.text)).join("");
}

/**
 * Splits at every match. Each part's joiner is the exact text between it and the previous part: the
 * match, plus any whitespace around it and any blank part (folded in), so parts are never blank and do
 * not start or end with whitespace. Text before the first part or after the last stays in that part, so
 * nothing is lost. A text with no non-blank part comes back whole.
 */
function splitAt(text: string, separator: RegExp): Part[] {
  const parts: Part[] = [];
  let pending = "";
  let start = 0;
  const addSegment = (segment: string) => {
    const core = segment.trim();
    if (core === "") {
      pending += segment;
      return;
    }
    const leading = segment.slice(0, segment.indexOf(core));
    if (parts.length === 0) parts.push({ text: pending + leading + core, joiner: "" });
    else parts.push({ text: core, joiner: pending + leading });
    pending = segment.slice(leading.length + core.length);
  };
  for (const match of text.matchAll(separator)) {
    addSegment(text.slice(start, match.index));
    pending += match[0];
    start = match.index + match[0].length;
  }
  addSegment(text.slice(start));
  const last = parts.at(-1);
  if (last === undefined) return [{ text, joiner: "" }];
  last.text += pending;
  return parts;
}

function literalPattern(separator: string): RegExp {
  return new RegExp(separator.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gu");
}

function toChunk(packed: PackedChunk, blocks: ExtractedBlock[]): Chunk {
  const first = packed.pieces[0] as Piece;
  const block = blocks[first.block] as ExtractedBlock;
  return {
    content: packed.content,
    tokens: packed.tokens,
    wordCount: countWords(packed.content),
    blockId: block.blockId,
    sourceUrl: block.sourceUrl,
    headingPath: [...block.headingPath],
  };
}
