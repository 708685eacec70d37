/**
 * Extracted blocks → chunks of at most `maxTokens`, structure first: cut at block boundaries, then at
 * the coarsest separator inside a block that is too large (pieces.ts), packed greedily with exact
 * sizes and an overlap of up to `overlap` tokens (pack.ts). Each chunk is anchored at its first new
 * block: its heading path and a source link to that block (`…#blockid`).
 *
 * Sizes are cl100k_base tokens, each text tokenized once (measure.ts); the benchmark also runs the
 * same splitter with a character measure.
 */
import type { ProcessRule } from "../core/model.js";
import type { ExtractedBlock } from "../core/ports.js";
import { type Measure, tokenMeasure } from "./measure.js";
import { type PackedChunk, Packer, type PackLimits } from "./pack.js";
import { type Piece, PieceCutter, prepareSources, type Source } from "./pieces.js";
import { validateProcessRule } from "./rules.js";

export interface Chunk {
  content: string;
  /** The exact size of `content`, in the measure's unit (cl100k_base tokens unless told otherwise). */
  tokens: number;
  /** Anchor: the chunk's first block, the overlap repeated from the chunk before aside. */
  blockId: string;
  sourceUrl: string;
  headingPath: string[];
  /** The anchor block's unit (a database row's page id): a chunk never holds two. */
  unit?: string;
}

export interface SplitOptions {
  measure?: Measure;
}

/** The text doc form: every chunk is embedded. The rule is validated first. */
export function splitBlocks(
  blocks: ExtractedBlock[],
  rule: ProcessRule,
  options: SplitOptions = {},
): Chunk[] {
  validateProcessRule(rule);
  const splitter = new Splitter(blocks, rule, options);
  const packer = splitter.packer({ maxTokens: rule.maxTokens, overlap: rule.overlap });
  return splitter.chunks(packer.pack(splitter.pieces(rule.maxTokens)), packer);
}

/** The sources and cutter of one split, shared by the doc forms. */
export class Splitter {
  readonly cutter: PieceCutter;
  private readonly sources: Source[];

  constructor(blocks: ExtractedBlock[], rule: ProcessRule, options: SplitOptions) {
    const measure = options.measure ?? tokenMeasure;
    this.sources = prepareSources(blocks, measure);
    this.cutter = new PieceCutter(this.sources, measure, rule.mode === "custom" ? rule.separator : undefined);
  }

  pieces(limit: number): Piece[] {
    const pieces: Piece[] = [];
    for (let source = 0; source < this.sources.length; source += 1) {
      pieces.push(...this.cutter.sourcePieces(source, limit));
    }
    return pieces;
  }

  packer(limits: PackLimits): Packer {
    return new Packer(this.sources, this.cutter, limits);
  }

  chunks(packed: PackedChunk[], packer: Packer): Chunk[] {
    const chunks: Chunk[] = [];
    for (const chunk of packed) chunks.push(this.chunk(chunk, packer));
    return chunks;
  }

  private chunk(packed: PackedChunk, packer: Packer): Chunk {
    const anchor = (this.sources[(packed.pieces[0] as Piece).source] as Source).block;
    return {
      content: packer.content(packed),
      tokens: packed.tokens,
      blockId: anchor.blockId,
      sourceUrl: anchor.sourceUrl,
      headingPath: [...anchor.headingPath],
      ...(anchor.unit === undefined ? {} : { unit: anchor.unit }),
    };
  }
}
