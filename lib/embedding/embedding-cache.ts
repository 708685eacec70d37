/**
 * The embedding cache port: vectors by (provider, model, dimension, sha256 of the exact text).
 * The key space is part of every key, so switching model can never return another model's vectors.
 * Only passage (document) vectors are cached: a query vector may differ for the same text.
 */
import { createHash } from "node:crypto";

export interface CacheSpace {
  provider: string;
  model: string;
  dimension: number;
}

export interface EmbeddingCache {
  /** Vectors found for these text hashes; a hash that is missing from the map was not cached. */
  getMany(
    space: CacheSpace,
    hashes: readonly string[],
  ): Promise<{ found: Map<string, number[]>; requests: number }>;
  /** Stores vectors; returns the number of requests made. */
  putMany(space: CacheSpace, entries: readonly { hash: string; vector: number[] }[]): Promise<number>;
}

export function textHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** An in-process cache: for tests, and for one-off tools that have no table. */
export function createMemoryEmbeddingCache(): EmbeddingCache & { size(): number } {
  const entries = new Map<string, number[]>();
  const key = (space: CacheSpace, hash: string) =>
    `${space.provider}#${space.model}#${space.dimension}#${hash}`;
  return {
    async getMany(space, hashes) {
      const found = new Map<string, number[]>();
      for (const hash of hashes) {
        const vector = entries.get(key(space, hash));
        if (vector) found.set(hash, [...vector]);
      }
      return { found, requests: 0 };
    },
    async putMany(space, items) {
      for (const { hash, vector } of items) entries.set(key(space, hash), [...vector]);
      return 0;
    },
    size: () => entries.size,
  };
}
