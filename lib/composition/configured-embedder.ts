/**
 * The one place an embedder is composed from configuration, for every entry point (both functions,
 * the local stack, the CLI): provider → content-hash cache (EMBEDDING_CACHE) → cold-start dimension
 * check against the Pinecone index. Call `embedderReady(embedder)` at module scope to run the check
 * during the cold start; otherwise it runs before the first text is embedded.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createBedrockEmbedder } from "../adapters/aws/bedrock-embedder.js";
import { createDynamoDbEmbeddingCache } from "../adapters/aws/dynamodb-embedding-cache.js";
import { createOpenAiEmbedder } from "../adapters/openai/openai-embedder.js";
import { createPineconeEmbedder } from "../adapters/pinecone/pinecone-embedder.js";
import { describePineconeIndex } from "../adapters/pinecone/pinecone-vector-index.js";
import { withEmbeddingCache } from "../embedding/cached-embedder.js";
import { type DescribeIndex, withIndexDimensionCheck } from "../embedding/dimension-check.js";
import type { EmbeddingCache } from "../embedding/embedding-cache.js";
import { createLocalEmbedder } from "../embedding/local-embedder.js";
import type { MeteredEmbedder } from "../embedding/usage.js";
import { type EmbeddingSelection, resolveSelection } from "../shared/embedding-models.js";
import { ConfigError } from "../shared/errors.js";
import type { Config } from "./config.js";

export interface EmbedderDeps {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** The index's dimension; describe_index_stats on PINECONE_INDEX_HOST unless given. */
  describeIndex?: DescribeIndex;
  /** Another cache than the table (tests, tools). */
  cache?: EmbeddingCache;
}

export type EmbeddingConfig = Pick<
  Config,
  | "EMBEDDING_PROVIDER"
  | "EMBEDDING_MODEL"
  | "EMBEDDING_DIMENSION"
  | "EMBEDDING_CACHE"
  | "OPENAI_API_KEY"
  | "OPENAI_BASE_URL"
  | "BEDROCK_REGION"
  | "BEDROCK_ENDPOINT"
  | "AWS_REGION"
  | "PINECONE_API_KEY"
  | "PINECONE_INDEX_HOST"
  | "PINECONE_CONTROLLER_HOST"
>;

/** The configured embedder; a ConfigError names any setting that cannot work. */
export function createEmbedderFromConfig(config: EmbeddingConfig, deps: EmbedderDeps): MeteredEmbedder {
  const selection = resolveSelection(
    config.EMBEDDING_PROVIDER,
    config.EMBEDDING_MODEL,
    config.EMBEDDING_DIMENSION,
  );
  return createEmbedderFor(selection, config, deps);
}

/** An embedder for any valid selection, composed like the configured one (used per dataset too). */
export function createEmbedderFor(
  selection: EmbeddingSelection,
  config: EmbeddingConfig,
  deps: EmbedderDeps,
): MeteredEmbedder {
  const provider = providerEmbedder(selection, config);
  const cached =
    config.EMBEDDING_CACHE === "on"
      ? withEmbeddingCache(
          provider,
          deps.cache ?? createDynamoDbEmbeddingCache(deps.dynamodb, deps.tableName),
        )
      : provider;
  const describeIndex =
    deps.describeIndex ??
    (() =>
      describePineconeIndex({
        apiKey: config.PINECONE_API_KEY,
        indexHost: config.PINECONE_INDEX_HOST,
        controllerHostUrl: config.PINECONE_CONTROLLER_HOST,
      }));
  return withIndexDimensionCheck(cached, {
    describeIndex,
    indexLabel: `at ${config.PINECONE_INDEX_HOST}`,
    spec: selection.spec,
  });
}

function providerEmbedder(selection: EmbeddingSelection, config: EmbeddingConfig): MeteredEmbedder {
  switch (selection.provider) {
    case "local":
      return createLocalEmbedder(selection.dimension);
    case "pinecone":
      return createPineconeEmbedder({
        apiKey: config.PINECONE_API_KEY,
        controllerHostUrl: config.PINECONE_CONTROLLER_HOST,
        selection,
      });
    case "openai":
      if (!config.OPENAI_API_KEY) throw new ConfigError("EMBEDDING_PROVIDER=openai needs OPENAI_API_KEY");
      return createOpenAiEmbedder({
        apiKey: config.OPENAI_API_KEY,
        baseURL: config.OPENAI_BASE_URL,
        selection,
      });
    case "bedrock":
      return createBedrockEmbedder({
        region: config.BEDROCK_REGION ?? config.AWS_REGION,
        endpoint: config.BEDROCK_ENDPOINT,
        selection,
      });
  }
}
