/**
 * The hierarchical (parent-child) doc form: parent chunks (paragraph-sized, or whole documents and
 * database rows) are cut into child chunks. Only children are embedded; a search that finds a child
 * returns its parent's text as context. Children never cross their parent, so they overlap only
 * within it.
 */
import type { ProcessRule } from "../core/model.js";
import type { ExtractedBlock } from "../core/ports.js";
import { chunkSizes, validateProcessRule } from "./rules.js";
import { type Chunk, type SplitOptions, Splitter } from "./split.js";

export interface ChildChunk extends Chunk {
  /** Index of its parent in `parents`. */
  parentIndex: number;
}

export interface HierarchicalSplit {
  parents: Chunk[];
  children: ChildChunk[];
}

export function splitHierarchical(
  blocks: ExtractedBlock[],
  rule: ProcessRule,
  options: SplitOptions = {},
): HierarchicalSplit {
  validateProcessRule(rule, "hierarchical");
  const sizes = chunkSizes(rule, "hierarchical");
  const parentLimit = sizes.parentMaxTokens ?? sizes.maxTokens;
  const splitter = new Splitter(blocks, rule, options);
  const parentPacker = splitter.packer({ maxTokens: parentLimit, overlap: 0 });
  const childPacker = splitter.packer({ maxTokens: sizes.maxTokens, overlap: sizes.overlap });
  const parents = parentPacker.pack(splitter.pieces(parentLimit));
  const children: ChildChunk[] = [];
  for (const [parentIndex, parent] of parents.entries()) {
    const pieces = parent.pieces.flatMap((piece) => splitter.cutter.cut(piece, sizes.maxTokens));
    for (const child of splitter.chunks(childPacker.pack(pieces), childPacker)) {
      children.push({ ...child, parentIndex });
    }
  }
  return { parents: splitter.chunks(parents, parentPacker), children };
}
