/**
 * A caching decorator over the embedder port: only texts whose (provider, model, dimension, sha256)
 * is not cached go to the provider, and a text repeated within one call goes once. `embedded` counts
 * the texts sent to the provider, `cached` the rest (answered from the cache or by a repeat).
 *
 * Fresh vectors are rounded to float32 before use, as the cache stores them, so a run gives the same
 * values whether a text was a hit or a miss. A cache failure fails the call like any DynamoDB failure
 * (the queue retries it); nothing is silently bought again. Queries are not cached.
 */
import { type CacheSpace, type EmbeddingCache, textHash } from "./embedding-cache.js";
import type { MeteredEmbedder } from "./usage.js";
import { roundToFloat32 } from "./vector-bytes.js";

export function withEmbeddingCache(embedder: MeteredEmbedder, cache: EmbeddingCache): MeteredEmbedder {
  const { provider, model, dimension } = embedder;
  const space: CacheSpace = { provider, model, dimension };

  return {
    provider,
    model,
    dimension,
    async embedDocuments(texts, options) {
      // A scope (the tenant) is part of each entry's key: its entries are its own.
      const scope = options?.cacheScope;
      const hashes = texts.map((text) => textHash(scope === undefined ? text : `${scope}\u0000${text}`));
      const textOf = new Map<string, string>();
      hashes.forEach((hash, i) => {
        if (!textOf.has(hash)) textOf.set(hash, texts[i] as string);
      });
      const unique = [...textOf.keys()];
      const read = unique.length > 0 ? await cache.getMany(space, unique) : { found: new Map(), requests: 0 };
      const vectors = new Map<string, number[]>();
      for (const [hash, vector] of read.found) {
        // A stored vector of another length is damaged: embed the text again.
        if (vector.length === dimension) vectors.set(hash, vector);
      }

      const missing = unique.filter((hash) => !vectors.has(hash));
      let tokens = 0;
      let requests = 0;
      let writes = 0;
      if (missing.length > 0) {
        const fresh = await embedder.embedDocuments(missing.map((hash) => textOf.get(hash) as string));
        const entries = missing.map((hash, i) => ({ hash, vector: roundToFloat32(fresh.vectors[i] ?? []) }));
        for (const { hash, vector } of entries) vectors.set(hash, vector);
        writes = await cache.putMany(space, entries);
        tokens = fresh.tokens;
        requests = fresh.requests;
      }

      return {
        vectors: hashes.map((hash) => vectors.get(hash) as number[]),
        embedded: missing.length,
        cached: texts.length - missing.length,
        tokens,
        requests,
        cacheRequests: read.requests + writes,
      };
    },
    embedQuery: (text) => embedder.embedQuery(text),
  };
}
