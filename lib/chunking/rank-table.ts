/**
 * cl100k_base's byte-pair ranks, read once from gpt-tokenizer's own data file
 * (`data/cl100k_base.tiktoken`: a base64 token and its rank per line) instead of imported as a
 * megabyte of JavaScript: a function bundle stays under 1 MB and its cold start does not parse the
 * table (npm run bench:bundle). A function bundle carries the file beside it (lib/shared/bundle-assets.ts);
 * anywhere else it is read from the installed package. Either way it is the same file.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { TOKENIZER_RANKS } from "../shared/bundle-assets.js";

const RANKS_FILE = basename(TOKENIZER_RANKS);

let tokens: Buffer[] | undefined;

/** Where the ranks are read from: beside this module (a function bundle) or the package. */
export function ranksPath(): string {
  const beside = fileURLToPath(new URL(`./${RANKS_FILE}`, import.meta.url));
  return existsSync(beside) ? beside : createRequire(import.meta.url).resolve(TOKENIZER_RANKS);
}

/** Each token's bytes, by rank (the line order of the file is the rank order). */
export function tokenBytesByRank(): Buffer[] {
  if (tokens !== undefined) return tokens;
  const table: Buffer[] = [];
  for (const line of readFileSync(ranksPath(), "latin1").split("\n")) {
    const space = line.indexOf(" ");
    if (space < 0) continue;
    table[Number(line.slice(space + 1))] = Buffer.from(line.slice(0, space), "base64");
  }
  tokens = table;
  return table;
}
