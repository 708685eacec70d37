/**
 * Blocks → pieces: the units the packer puts into chunks. A block that fits is one piece. A larger one
 * is cut at the coarsest separator that divides it (the custom separator, then paragraph, line,
 * sentence and word), and a word still too large is cut by the measure itself. Code and tables are
 * cut only between lines: a line is divided only when it alone exceeds the limit.
 *
 * Pieces are ranges of their block's trimmed text, so a chunk of consecutive pieces of one block is a
 * slice of it: whatever separates two pieces (spaces, the custom separator) stays in between.
 */
import type { BlockKind, ExtractedBlock } from "../core/ports.js";
import type { Measure, MeasuredText } from "./measure.js";

/** Between the texts of two blocks in a chunk. */
export const BLOCK_JOINER = "\n\n";

/** A non-blank block, trimmed and measured once (with the joiner that follows it in a chunk). */
export interface Source {
  block: ExtractedBlock;
  text: string;
  kind: BlockKind;
  unit: string | undefined;
  measured: MeasuredText;
}

/** `text.slice(start, end)` of one source; starts and ends on a non-space character. */
export interface Piece {
  source: number;
  start: number;
  end: number;
}

interface Span {
  start: number;
  end: number;
}

/** A separator pattern; `keep` leading characters of a match stay with the text before it. */
interface Separator {
  pattern: RegExp;
  keep: number;
}

// Each pattern can only start matching at a fixed character, so splitting stays linear in the text.
// Every character they name is in the BMP, so they need no Unicode mode (which is slower).
// Line separators take blank lines but not the next line's indentation, which is structure (nested
// list items, toggle children, code).
const PARAGRAPH: Separator = { pattern: /\n[^\S\n]*\n(?:[^\S\n]*\n)*/g, keep: 0 };
const LINE: Separator = { pattern: /\n(?:[^\S\n]*\n)*/g, keep: 0 };
/** After . ! ? … followed by whitespace, or after a CJK full stop (no space follows it in CJK text). */
const SENTENCE: Separator = { pattern: /[.!?…]\s+|[。！？]\s*/g, keep: 1 };
const WORD: Separator = { pattern: /\s+/g, keep: 0 };

export function prepareSources(blocks: ExtractedBlock[], measure: Measure): Source[] {
  const sources: Source[] = [];
  for (const block of blocks) {
    // Leading blank lines and trailing space go; the first line's indentation stays.
    const text = block.text.replace(/^(?:[^\S\n]*\n)+/, "").trimEnd();
    if (text === "") continue;
    const measured = measure.index(text + BLOCK_JOINER);
    sources.push({ block, text, kind: block.kind ?? "text", unit: block.unit, measured });
  }
  return sources;
}

export class PieceCutter {
  private readonly custom: Separator | undefined;

  constructor(
    private readonly sources: Source[],
    private readonly measure: Measure,
    customSeparator: string | undefined,
  ) {
    this.custom = customSeparator === undefined ? undefined : literalSeparator(customSeparator);
  }

  /** Every piece of a whole source. */
  sourcePieces(source: number, limit: number): Piece[] {
    const text = (this.sources[source] as Source).text;
    return this.cut({ source, start: 0, end: text.length }, limit);
  }

  /** Pieces of at most `limit` covering the given piece, cut as coarsely as possible. */
  cut(piece: Piece, limit: number, level = 0, out: Piece[] = []): Piece[] {
    const source = this.sources[piece.source] as Source;
    if (source.measured.range(piece.start, piece.end) <= limit) {
      out.push(piece);
      return out;
    }
    const separators = this.separatorsFor(source.kind);
    for (let current = level; current < separators.length; current += 1) {
      const spans = spansAt(source.text, piece, separators[current] as Separator);
      if (spans.length < 2) continue;
      for (const span of spans) this.cut({ source: piece.source, ...span }, limit, current + 1, out);
      return out;
    }
    return this.cutByMeasure(piece, limit, out);
  }

  /**
   * Where an overlap may start inside the tail of a piece: the starts of its parts at the first
   * separator level that divides that tail, in text order. Only `window` characters before the end
   * are looked at: an overlap is short.
   */
  tailStarts(piece: Piece, window: number, level: number): { starts: number[]; level: number } {
    const source = this.sources[piece.source] as Source;
    const separators = this.separatorsFor(source.kind);
    const tail = { start: Math.max(piece.start, piece.end - window), end: piece.end };
    // Code and table lines are repeated whole, if at all.
    const finest =
      source.kind === "code" || source.kind === "table" ? separators.indexOf(WORD) : separators.length;
    for (let current = level; current < finest; current += 1) {
      const spans = spansAt(source.text, tail, separators[current] as Separator);
      if (spans.length >= 2) return { starts: startsAfterFirst(spans), level: current + 1 };
    }
    return { starts: [], level: separators.length };
  }

  private separatorsFor(kind: BlockKind): Separator[] {
    if (kind === "code" || kind === "table") return [PARAGRAPH, LINE, WORD];
    return this.custom === undefined
      ? [PARAGRAPH, LINE, SENTENCE, WORD]
      : [this.custom, PARAGRAPH, LINE, SENTENCE, WORD];
  }

  /** A "word" larger than a chunk (a long URL, base64, CJK without punctuation): cut by the measure. */
  private cutByMeasure(piece: Piece, limit: number, out: Piece[]): Piece[] {
    const text = (this.sources[piece.source] as Source).text;
    for (let start = piece.start; start < piece.end; ) {
      const end = start + this.measure.prefix(text.slice(start, piece.end), limit).length;
      out.push({ source: piece.source, start, end });
      start = end;
    }
    return out;
  }
}

/**
 * The non-blank parts of `text[span]` between matches of `separator`, trimmed. The first part keeps
 * the span's start and the last its end, so a separator at either edge stays inside; nothing is lost.
 */
function spansAt(text: string, span: Span, separator: Separator): Span[] {
  const spans: Span[] = [];
  const { pattern, keep } = separator;
  let cursor = span.start;
  pattern.lastIndex = span.start;
  for (let match = pattern.exec(text); match !== null && match.index + keep < span.end; ) {
    pushTrimmed(text, cursor, match.index + keep, spans);
    cursor = Math.min(span.end, match.index + match[0].length);
    match = pattern.exec(text);
  }
  pushTrimmed(text, cursor, span.end, spans);
  const first = spans[0];
  const last = spans.at(-1);
  if (first === undefined || last === undefined) return [span];
  first.start = span.start;
  last.end = span.end;
  return spans;
}

function startsAfterFirst(spans: Span[]): number[] {
  const starts: number[] = [];
  for (let index = 1; index < spans.length; index += 1) starts.push((spans[index] as Span).start);
  return starts;
}

function pushTrimmed(text: string, start: number, end: number, spans: Span[]): void {
  let from = start;
  let to = end;
  while (from < to && isSpace(text.charCodeAt(from))) from += 1;
  while (to > from && isSpace(text.charCodeAt(to - 1))) to -= 1;
  // Indentation at the start of a line is structure: keep it (but never reach before the span).
  let lineStart = from;
  while (lineStart > start && isIndent(text.charCodeAt(lineStart - 1))) lineStart -= 1;
  if (lineStart === 0 || text.charCodeAt(lineStart - 1) === NEWLINE) from = lineStart;
  if (from < to) spans.push({ start: from, end: to });
}

const NEWLINE = 10;

function isIndent(code: number): boolean {
  return code === 32 || code === 9;
}

/** What `\s` matches, without a regular expression per character. */
function isSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 160) return false;
  return (
    code === 160 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function literalSeparator(separator: string): Separator {
  return { pattern: new RegExp(separator.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g"), keep: 0 };
}
