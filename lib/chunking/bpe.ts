/**
 * The cl100k_base token count of one pre-token, by byte-pair merging over the encoding's own ranks
 * (gpt-tokenizer's rank table, lib/chunking/rank-table.ts), exactly as gpt-tokenizer merges (lowest rank first, leftmost on a tie;
 * the tests compare the two). It exists for speed on words seen for the first time: here a byte
 * sequence is a latin-1 string, so each rank is one Map look-up, where gpt-tokenizer decodes bytes.
 */
import { tokenBytesByRank } from "./rank-table.js";

let ranks: Map<string, number> | undefined;

/** Tokens of a pre-token (one match of the encoding's split pattern). */
export function countPreTokenBytes(preToken: string): number {
  const table = rankTable();
  const bytes = latin1Bytes(preToken);
  return table.has(bytes) ? 1 : mergedParts(bytes, table);
}

/** Built on first use: 100,000 byte sequences, keyed as latin-1 strings. */
function rankTable(): Map<string, number> {
  if (ranks !== undefined) return ranks;
  const table = new Map<string, number>();
  tokenBytesByRank().forEach((bytes, rank) => {
    table.set(bytes.toString("latin1"), rank);
  });
  ranks = table;
  return table;
}

/**
 * How many parts the merges leave. The parts are a linked list and the candidate pairs a heap ordered
 * by (rank, position), so a pre-token of n bytes costs O(n log n): a long unbroken run (a DNA sequence,
 * CJK without punctuation, a row of emoji) stays cheap, where rescanning every pair after each merge,
 * as gpt-tokenizer does, is quadratic (100,000 letters took over a minute).
 * Stale heap entries (the pair changed since) are recognised by their version and skipped.
 */
function mergedParts(bytes: string, table: Map<string, number>): number {
  const length = bytes.length;
  /** Parts are named by their first byte; `next` is where the following part starts (length: none). */
  const next = new Int32Array(length);
  const previous = new Int32Array(length);
  /** Bumped whenever the pair that starts at a part changes, or the part is merged away. */
  const versions = new Int32Array(length);
  const heap = new PairHeap();
  const pairEnd = (start: number) => {
    const second = next[start] as number;
    return second < length ? (next[second] as number) : -1;
  };
  const offer = (start: number) => {
    versions[start] = (versions[start] as number) + 1;
    const end = pairEnd(start);
    if (end === -1) return;
    const rank = table.get(bytes.slice(start, end));
    if (rank !== undefined) heap.push(rank, start, versions[start] as number);
  };
  for (let index = 0; index < length; index += 1) {
    next[index] = index + 1;
    previous[index] = index - 1;
  }
  for (let index = 0; index < length - 1; index += 1) offer(index);
  let parts = length;
  for (let pair = heap.pop(); pair !== undefined; pair = heap.pop()) {
    const { start, version } = pair;
    if (versions[start] !== version) continue;
    const second = next[start] as number;
    const after = next[second] as number;
    next[start] = after;
    if (after < length) previous[after] = start;
    versions[second] = (versions[second] as number) + 1;
    parts -= 1;
    offer(start);
    const before = previous[start] as number;
    if (before >= 0) offer(before);
  }
  return parts;
}

/** A binary min-heap of pairs by (rank, start): the lowest rank first, the leftmost on a tie. */
class PairHeap {
  private readonly keys: number[] = [];
  private readonly starts: number[] = [];
  private readonly versions: number[] = [];

  push(rank: number, start: number, version: number): void {
    // Ranks are below 2^17 and starts below 2^32: the key orders by rank, then by start, exactly.
    const key = rank * 2 ** 32 + start;
    let at = this.keys.length;
    this.keys.push(key);
    this.starts.push(start);
    this.versions.push(version);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((this.keys[parent] as number) <= key) break;
      this.move(parent, at);
      at = parent;
    }
    this.set(at, key, start, version);
  }

  pop(): { start: number; version: number } | undefined {
    if (this.keys.length === 0) return undefined;
    const top = { start: this.starts[0] as number, version: this.versions[0] as number };
    const key = this.keys.pop() as number;
    const start = this.starts.pop() as number;
    const version = this.versions.pop() as number;
    const size = this.keys.length;
    if (size === 0) return top;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && (this.keys[right] as number) < (this.keys[left] as number) ? right : left;
      if ((this.keys[child] as number) >= key) break;
      this.move(child, at);
      at = child;
    }
    this.set(at, key, start, version);
    return top;
  }

  private move(from: number, to: number): void {
    this.set(to, this.keys[from] as number, this.starts[from] as number, this.versions[from] as number);
  }

  private set(at: number, key: number, start: number, version: number): void {
    this.keys[at] = key;
    this.starts[at] = start;
    this.versions[at] = version;
  }
}

/** The UTF-8 bytes of a text as a latin-1 string (an ASCII text is its own). */
function latin1Bytes(text: string): string {
  for (let index = 0; index < text.length; index += 1) {
    if (text.charCodeAt(index) > 127) return Buffer.from(text, "utf8").toString("latin1");
  }
  return text;
}
