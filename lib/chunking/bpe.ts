/**
 * The cl100k_base token count of one pre-token, by byte-pair merging over the encoding's own ranks
 * (gpt-tokenizer's rank table), exactly as gpt-tokenizer merges (lowest rank first, leftmost on a tie;
 * the tests compare the two). It exists for speed on words seen for the first time: here a byte
 * sequence is a latin-1 string, so each rank is one Map look-up, where gpt-tokenizer decodes bytes.
 */
import bpeRanks from "gpt-tokenizer/bpeRanks/cl100k_base";

const NO_RANK = Number.POSITIVE_INFINITY;
const utf8 = new TextEncoder();
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
  bpeRanks.forEach((token, rank) => {
    table.set(bytesToLatin1(typeof token === "string" ? utf8.encode(token) : token), rank);
  });
  ranks = table;
  return table;
}

/** How many parts the merges leave. */
function mergedParts(bytes: string, table: Map<string, number>): number {
  const starts: number[] = [];
  const pairRanks: number[] = [];
  for (let index = 0; index <= bytes.length; index += 1) {
    starts.push(index);
    pairRanks.push(index < bytes.length - 1 ? rankOf(bytes, table, index, index + 2) : NO_RANK);
  }
  for (;;) {
    let lowest = NO_RANK;
    let at = -1;
    for (let index = 0; index < pairRanks.length - 1; index += 1) {
      if ((pairRanks[index] as number) < lowest) {
        lowest = pairRanks[index] as number;
        at = index;
      }
    }
    if (at === -1) return starts.length - 1;
    starts.splice(at + 1, 1);
    pairRanks.splice(at, 1);
    pairRanks[at] = rankOf(bytes, table, starts[at] as number, starts[at + 2]);
    if (at > 0) pairRanks[at - 1] = rankOf(bytes, table, starts[at - 1] as number, starts[at + 1]);
  }
}

function rankOf(bytes: string, table: Map<string, number>, from: number, to: number | undefined): number {
  return to === undefined ? NO_RANK : (table.get(bytes.slice(from, to)) ?? NO_RANK);
}

/** The UTF-8 bytes of a text as a latin-1 string (an ASCII text is its own). */
function latin1Bytes(text: string): string {
  for (let index = 0; index < text.length; index += 1) {
    if (text.charCodeAt(index) > 127) return bytesToLatin1(utf8.encode(text));
  }
  return text;
}

function bytesToLatin1(bytes: ArrayLike<number>): string {
  let text = "";
  for (let index = 0; index < bytes.length; index += 1) text += String.fromCharCode(bytes[index] as number);
  return text;
}
