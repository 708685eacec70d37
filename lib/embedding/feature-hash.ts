/**
 * Feature hashing of words and word pairs into a fixed number of dimensions, L2-normalised.
 * Deterministic and offline: the local embedder and the providers' stand-ins all use it, so texts
 * that share words score higher, which is enough for nearest-neighbour results in tests.
 */
import { createHash } from "node:crypto";

export function hashEmbedding(text: string, dimension: number): number[] {
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
  return normalise(vector);
}

/** Scales to unit length; an all-zero vector becomes a unit one, as Pinecone's cosine metric needs. */
export function normalise(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  if (norm === 0) {
    const unit = vector.map(() => 0);
    unit[0] = 1;
    return unit;
  }
  return vector.map((value) => value / norm);
}
