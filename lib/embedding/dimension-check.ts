/**
 * The cold-start check that the embedder's vectors fit the Pinecone index: a mismatch is a ConfigError
 * naming both dimensions, raised before any work instead of a failed upsert after the Notion reads.
 *
 * `withIndexDimensionCheck` guards an embedder so that nothing is embedded before the check passed;
 * `embedderReady(embedder)` runs the check up front, for a handler to await at module scope (Lambda
 * init) so a mismatch fails the cold start itself. A mismatch is remembered; a failed describe call
 * (network, throttling) is tried again on the next use.
 */

import type { Embedder } from "../core/ports.js";
import { describeDimensions, type ModelSpec } from "../shared/embedding-models.js";
import { ConfigError } from "../shared/errors.js";
import type { MeteredEmbedder } from "./usage.js";

export type DescribeIndex = () => Promise<{ dimension: number }>;

export interface DimensionCheckOptions {
  describeIndex: DescribeIndex;
  /** How the index is named in the error (its host). */
  indexLabel: string;
  /** The model's facts, to say which dimensions would work. */
  spec?: ModelSpec;
}

const readiness = new WeakMap<Embedder, () => Promise<void>>();

/** Runs the dimension check of a guarded embedder; resolves at once for any other embedder. */
export async function embedderReady(embedder: Embedder): Promise<void> {
  await readiness.get(embedder)?.();
}

export async function checkIndexDimension(embedder: Embedder, options: DimensionCheckOptions): Promise<void> {
  const index = await options.describeIndex();
  if (index.dimension === embedder.dimension) return;
  const name = `${embedder.provider}/${embedder.model}`;
  const canMake = options.spec ? ` (it makes ${describeDimensions(options.spec)})` : "";
  throw new ConfigError(
    `embedding dimension mismatch: ${name} makes ${embedder.dimension}-dimensional vectors but the Pinecone index ` +
      `${options.indexLabel} has dimension ${index.dimension}: set EMBEDDING_DIMENSION=${index.dimension} if the model ` +
      `can produce it${canMake}, or use an index of dimension ${embedder.dimension}`,
  );
}

export function withIndexDimensionCheck(
  embedder: MeteredEmbedder,
  options: DimensionCheckOptions,
): MeteredEmbedder {
  let verified: Promise<void> | undefined;
  const verify = (): Promise<void> => {
    verified ??= checkIndexDimension(embedder, options).catch((error: unknown) => {
      if (!(error instanceof ConfigError)) verified = undefined;
      throw error;
    });
    return verified;
  };
  const guarded: MeteredEmbedder = {
    provider: embedder.provider,
    model: embedder.model,
    dimension: embedder.dimension,
    async embedDocuments(texts, options) {
      await verify();
      return embedder.embedDocuments(texts, options);
    },
    async embedQuery(text) {
      await verify();
      return embedder.embedQuery(text);
    },
  };
  readiness.set(guarded, verify);
  return guarded;
}
