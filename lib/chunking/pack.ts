/**
 * Pieces → chunks, greedily, with exact sizes: every candidate chunk is measured as the text it
 * would be (through each block's index, so nothing is tokenized twice), never estimated.
 *
 * Structure first: a chunk never holds two units (database rows); a heading starts a new chunk once
 * the current one is half full, and a chunk never ends on a heading that could open the next one.
 * The next chunk repeats the longest tail of the previous one that fits the overlap (starting at a
 * piece, else at a sentence or word of the last piece), except before a heading or a new unit.
 *
 * Content-defined anchors keep boundaries stable under edits: a block whose text hashes to an anchor
 * (about one in ANCHOR_EVERY) also starts a new chunk once the current one is half full. Where a
 * chunk ends then depends on nearby content only, not on the size of everything before it, so an
 * edit that lengthens one paragraph changes the chunks up to the next anchor, not every later one,
 * and the embedding cache answers the rest.
 */
import { BLOCK_JOINER, type Piece, type PieceCutter, type Source } from "./pieces.js";

/** A place in the text: an offset in one source. */
export interface Position {
  source: number;
  offset: number;
}

export interface PackedChunk {
  /** Where its text starts: the overlap, or its first piece. */
  start: Position;
  /** The pieces it adds (the overlap aside), in order. */
  pieces: Piece[];
  tokens: number;
}

/** One block in this many (by content hash) is an anchor. */
const ANCHOR_EVERY = 8;

/** Characters looked at, per unit of overlap, when an overlap must start inside a piece. */
const OVERLAP_WINDOW_PER_UNIT = 16;

export interface PackLimits {
  maxTokens: number;
  overlap: number;
}

export class Packer {
  private readonly anchors = new Map<number, boolean>();

  constructor(
    private readonly sources: Source[],
    private readonly cutter: PieceCutter,
    private readonly limits: PackLimits,
  ) {}

  pack(pieces: Piece[]): PackedChunk[] {
    const chunks: PackedChunk[] = [];
    let overlap: Position | undefined;
    for (let next = 0; next < pieces.length; ) {
      const chunk = this.fill(pieces, next, overlap);
      chunks.push(chunk);
      next += chunk.pieces.length;
      const following = pieces[next];
      overlap =
        following !== undefined && this.continues(chunk, following)
          ? this.overlapStart(chunk, following)
          : undefined;
    }
    return chunks;
  }

  /** The text of a chunk: slices of its sources joined by the block joiner. */
  content(chunk: PackedChunk): string {
    const last = chunk.pieces.at(-1) as Piece;
    const parts: string[] = [];
    for (let source = chunk.start.source; source <= last.source; source += 1) {
      const text = (this.sources[source] as Source).text;
      const from = source === chunk.start.source ? chunk.start.offset : 0;
      parts.push(source === last.source ? text.slice(from, last.end) : text.slice(from));
    }
    return parts.join(BLOCK_JOINER);
  }

  /** The size of the text from `from` to the end of `to`, as one text. */
  private size(from: Position, to: Piece): number {
    return new SpanMeter(this.sources, from).to(to);
  }

  /** One chunk from `first` on: as many pieces as fit, structure permitting. */
  private fill(pieces: Piece[], first: number, overlap: Position | undefined): PackedChunk {
    const firstPiece = pieces[first] as Piece;
    const start = overlap ?? { source: firstPiece.source, offset: firstPiece.start };
    const meter = new SpanMeter(this.sources, start);
    let tokens = meter.to(firstPiece);
    let end = first + 1;
    let full = false;
    for (; end < pieces.length; end += 1) {
      const piece = pieces[end] as Piece;
      if (this.unitOf(piece) !== this.unitOf(firstPiece)) break;
      const halfFull = tokens * 2 >= this.limits.maxTokens;
      if (halfFull && (this.opensSection(piece) || this.isAnchor(piece))) break;
      const candidate = meter.to(piece);
      if (candidate > this.limits.maxTokens) {
        full = true;
        break;
      }
      tokens = candidate;
    }
    // A heading at the very end belongs with what follows it.
    if (full && end - first > 1 && this.opensSection(pieces[end - 1] as Piece)) {
      end -= 1;
      tokens = this.size(start, pieces[end - 1] as Piece);
    }
    return { start, pieces: pieces.slice(first, end), tokens };
  }

  private continues(chunk: PackedChunk, following: Piece): boolean {
    const last = chunk.pieces.at(-1) as Piece;
    return this.unitOf(following) === this.unitOf(last) && !this.opensSection(following);
  }

  /**
   * The earliest place in `chunk` from which its tail fits the overlap and, with the next piece, a
   * chunk: a piece start, else (the last piece alone being too long) a part of that piece's tail at the
   * coarsest separator that offers one. Undefined when there is none.
   */
  private overlapStart(chunk: PackedChunk, following: Piece): Position | undefined {
    if (this.limits.overlap === 0) return undefined;
    const last = chunk.pieces.at(-1) as Piece;
    const starts: Position[] = [];
    for (const piece of chunk.pieces) starts.push({ source: piece.source, offset: piece.start });
    const best = this.earliestFitting(starts, last, following);
    if (best !== undefined) return best;
    let tail: Piece = last;
    for (let level = 0; ; ) {
      const found = this.cutter.tailStarts(tail, this.limits.overlap * OVERLAP_WINDOW_PER_UNIT, level);
      const inner: Position[] = [];
      for (const offset of found.starts) inner.push({ source: last.source, offset });
      const fitting = this.earliestFitting(inner, last, following);
      if (fitting !== undefined || inner.length === 0) return fitting;
      tail = { source: last.source, start: (inner.at(-1) as Position).offset, end: last.end };
      level = found.level;
    }
  }

  /** Of candidates in text order, the earliest of the fitting ones at the end (sizes grow backwards). */
  private earliestFitting(candidates: Position[], last: Piece, following: Piece): Position | undefined {
    let best: Position | undefined;
    for (let index = candidates.length - 1; index >= 0; index -= 1) {
      const candidate = candidates[index] as Position;
      if (this.size(candidate, last) > this.limits.overlap) break;
      if (this.size(candidate, following) > this.limits.maxTokens) break;
      best = candidate;
    }
    return best;
  }

  private unitOf(piece: Piece): string | undefined {
    return (this.sources[piece.source] as Source).unit;
  }

  /** The first piece of a block whose content makes it an anchor (FNV-1a, cheap and stable). */
  private isAnchor(piece: Piece): boolean {
    if (piece.start !== 0) return false;
    let anchor = this.anchors.get(piece.source);
    if (anchor === undefined) {
      const text = (this.sources[piece.source] as Source).text;
      let hash = 0x811c9dc5;
      for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
      anchor = (hash >>> 0) % ANCHOR_EVERY === 0;
      this.anchors.set(piece.source, anchor);
    }
    return anchor;
  }

  /** The first piece of a heading block. */
  private opensSection(piece: Piece): boolean {
    return piece.start === 0 && (this.sources[piece.source] as Source).kind === "heading";
  }
}

/** Measures text from a fixed start to later and later pieces, adding each finished source once. */
class SpanMeter {
  private source: number;
  private offset: number;
  /** Size of the finished sources, each with the joiner after it. */
  private finished = 0;

  constructor(
    private readonly sources: Source[],
    start: Position,
  ) {
    this.source = start.source;
    this.offset = start.offset;
  }

  to(piece: Piece): number {
    while (this.source < piece.source) {
      const { text, measured } = this.sources[this.source] as Source;
      this.finished += measured.range(this.offset, text.length + BLOCK_JOINER.length);
      this.source += 1;
      this.offset = 0;
    }
    return this.finished + (this.sources[this.source] as Source).measured.range(this.offset, piece.end);
  }
}
