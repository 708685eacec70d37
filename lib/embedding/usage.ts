/**
 * What an embedding call cost, beyond the port's counts: the figures a per-run cost report needs.
 * Every embedder in this folder returns them; the port (lib/core/ports.ts) keeps only the common part.
 */
import type { Embedder, EmbedOptions, EmbedResult } from "../core/ports.js";

export interface MeteredEmbedResult extends EmbedResult {
  /** HTTP requests sent to the provider for this call, retries included (0 for the local embedder). */
  requests: number;
  /** DynamoDB requests the embedding cache made (BatchGetItem + BatchWriteItem), when it is on. */
  cacheRequests?: number;
}

export interface MeteredEmbedder extends Embedder {
  embedDocuments(texts: string[], options?: EmbedOptions): Promise<MeteredEmbedResult>;
}
