/**
 * Builds the real adapters from validated configuration. The index function, the local stack, the
 * CLI and the tests compose their ports here, so each is wired the same way. The sync function,
 * which never embeds, uses createCoreAdapters alone (./core-adapters.ts).
 */
import type { Config } from "../config.js";
import { createEmbedderFromConfig } from "../embedding/configured-embedder.js";
import type { Embedder } from "../ports.js";
import { type CoreAdapters, createCoreAdapters } from "./core-adapters.js";

export interface Adapters extends CoreAdapters {
  embedder: Embedder;
}

export function createAdapters(config: Config): Adapters {
  const core = createCoreAdapters(config);
  return {
    ...core,
    embedder: createEmbedderFromConfig(config, { dynamodb: core.dynamodb, tableName: config.TABLE_NAME }),
  };
}
