/**
 * Builds the real adapters from validated configuration. The index function, the local stack, the
 * CLI and the tests compose their ports here, so each is wired the same way. The sync function,
 * which never embeds, uses createCoreAdapters alone (./core-adapters.ts).
 */

import type { Embedder } from "../core/ports.js";
import type { Config } from "./config.js";
import { createEmbedderFromConfig } from "./configured-embedder.js";
import { type CoreAdapterOptions, type CoreAdapters, createCoreAdapters } from "./core-adapters.js";
import { createDatasetEmbedders, type DatasetEmbedders } from "./dataset-embedders.js";

export interface Adapters extends CoreAdapters {
  /** The configured embedder (EMBEDDING_PROVIDER / EMBEDDING_MODEL). */
  embedder: Embedder;
  /** The embedder for each dataset's own model; the configured one when they agree. */
  embedders: DatasetEmbedders;
}

export function createAdapters(config: Config, options: CoreAdapterOptions = {}): Adapters {
  const core = createCoreAdapters(config, options);
  const deps = { dynamodb: core.dynamodb, tableName: config.TABLE_NAME };
  const embedder = createEmbedderFromConfig(config, deps);
  return { ...core, embedder, embedders: createDatasetEmbedders(embedder, config, deps) };
}
