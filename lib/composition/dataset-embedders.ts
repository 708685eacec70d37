/**
 * Each dataset records the embedding model its vectors were made with (`Dataset.embeddingModel`).
 * Indexing and querying a dataset must use that model, not whatever EMBEDDING_MODEL says today, or its
 * namespace would mix vectors of two models. This picks the embedder for a dataset: the configured one
 * when the models agree (or the dataset names none), else one built for the dataset's model at the
 * index's dimension, with the same cache and check. A model that cannot be built is a PermanentError.
 */

import type { Dataset } from "../core/model.js";
import type { MeteredEmbedder } from "../embedding/usage.js";
import { findModel, resolveSelection } from "../shared/embedding-models.js";
import { PermanentError } from "../shared/errors.js";
import { createEmbedderFor, type EmbedderDeps, type EmbeddingConfig } from "./configured-embedder.js";

export interface DatasetEmbedders {
  forDataset(dataset: Pick<Dataset, "datasetId" | "embeddingModel">): MeteredEmbedder;
}

/** Values a dataset may hold when it was made without a model in mind. */
const NO_MODEL = new Set(["", "unknown"]);

export function createDatasetEmbedders(
  configured: MeteredEmbedder,
  config: EmbeddingConfig,
  deps: EmbedderDeps,
): DatasetEmbedders {
  const built = new Map<string, MeteredEmbedder>([[configured.model, configured]]);
  return {
    forDataset(dataset) {
      const model = dataset.embeddingModel;
      if (NO_MODEL.has(model)) return configured;
      const existing = built.get(model);
      if (existing) return existing;
      const spec = findModel(model);
      if (!spec) {
        throw new PermanentError(
          `dataset ${dataset.datasetId} was indexed with embedding model ${model}, which this deployment does not know`,
        );
      }
      try {
        // One Pinecone index has one dimension: the dataset's model must produce it too.
        const selection = resolveSelection(spec.provider, model, configured.dimension);
        const embedder = createEmbedderFor(selection, config, deps);
        built.set(model, embedder);
        return embedder;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new PermanentError(
          `dataset ${dataset.datasetId} cannot use embedding model ${model}: ${reason}`,
        );
      }
    },
  };
}
