/**
 * A deterministic embedder with no network: feature hashing of words and word pairs (feature-hash.ts).
 * Texts that share words score higher, which is enough for the local stack and the tests to show real
 * nearest-neighbour results; it is no semantic model. Tokens are counted with cl100k_base.
 */
import { countTokens } from "../chunking/tokenizer.js";
import { hashEmbedding } from "./feature-hash.js";
import type { MeteredEmbedder } from "./usage.js";

export const LOCAL_MODEL = "local-hash-v1";

export function createLocalEmbedder(dimension = 384): MeteredEmbedder {
  const embed = (text: string) => hashEmbedding(text, dimension);
  return {
    provider: "local",
    model: LOCAL_MODEL,
    dimension,
    async embedDocuments(texts) {
      return {
        vectors: texts.map(embed),
        embedded: texts.length,
        cached: 0,
        tokens: texts.reduce((sum, text) => sum + countTokens(text), 0),
        requests: 0,
      };
    },
    async embedQuery(text) {
      return embed(text);
    },
  };
}
