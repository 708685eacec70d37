/**
 * A deterministic embedder with no network: feature hashing of words and word pairs into a fixed
 * number of dimensions, L2-normalised. Texts that share words score higher, which is enough for
 * the local stack and the tests to show real nearest-neighbour results; it is no semantic model.
 */
import { createHash } from "node:crypto";
import { countTokens } from "../chunking/tokenizer.js";
import type { Embedder } from "../ports.js";

export const LOCAL_MODEL = "local-hash-v1";

export function createLocalEmbedder(dimension = 384): Embedder {
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
      };
    },
    async embedQuery(text) {
      return embed(text);
    },
  };
}

function hashEmbedding(text: string, dimension: number): number[] {
  const vector = new Array<number>(dimension).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const add = (feature: string, weight: number) => {
    const digest = createHash("sha1").update(feature).digest();
    const slot = digest.readUInt32LE(0) % dimension;
    const sign = (digest[4] ?? 0) & 1 ? 1 : -1;
    vector[slot] = (vector[slot] ?? 0) + sign * weight;
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    add(`w:${word}`, 1);
    if (i + 1 < words.length) add(`b:${word} ${words[i + 1]}`, 0.5);
  }
  const norm = Math.hypot(...vector);
  // An empty text still needs a valid, non-zero vector for Pinecone's cosine metric.
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((value) => value / norm);
}
