/**
 * Data files the code reads at run time from beside its module, which the stack copies beside a
 * function bundle (infra/function-defaults.ts): package-relative paths, resolved at synth.
 */

/** cl100k_base's byte-pair ranks (lib/chunking/rank-table.ts): 1.6 MB of data, not of JavaScript. */
export const TOKENIZER_RANKS = "gpt-tokenizer/data/cl100k_base.tiktoken";
