/**
 * The query function's adapters, from its validated configuration: the table (datasets, documents,
 * segments, API keys, the keys' rate budgets), Pinecone and the embedders. No queue, no Notion.
 * The local stack and the tests build the same ones.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { awsClientOptions } from "../../lib/adapters/aws/aws-clients.js";
import { createDynamoDbApiKeyStore } from "../../lib/adapters/aws/dynamodb-api-key-store.js";
import { createDynamoDbRateBudget } from "../../lib/adapters/aws/dynamodb-rate-budget.js";
import { createDynamoDbStore } from "../../lib/adapters/aws/dynamodb-store.js";
import { createPineconeVectorIndex } from "../../lib/adapters/pinecone/pinecone-vector-index.js";
import { createEmbedderFromConfig } from "../../lib/composition/configured-embedder.js";
import { createDatasetEmbedders } from "../../lib/composition/dataset-embedders.js";
import type { QueryConfig } from "../../lib/composition/query-config.js";
import type { Log } from "../../lib/core/ports.js";
import { authenticate } from "../../lib/retrieval/api-keys.js";
import { keyRateLimiter } from "../../lib/retrieval/key-rate.js";
import { createQueryApi } from "../../lib/retrieval/query-api.js";

export function createQueryAdapters(config: QueryConfig) {
  const dynamodb = new DynamoDBClient(awsClientOptions(config.AWS_REGION, config.DYNAMODB_ENDPOINT));
  const deps = { dynamodb, tableName: config.TABLE_NAME };
  const embedder = createEmbedderFromConfig(config, deps);
  return {
    store: createDynamoDbStore(dynamodb, config.TABLE_NAME),
    vectors: createPineconeVectorIndex({
      apiKey: config.PINECONE_API_KEY,
      indexHost: config.PINECONE_INDEX_HOST,
      controllerHostUrl: config.PINECONE_CONTROLLER_HOST,
    }),
    embedders: createDatasetEmbedders(embedder, config, deps),
    keys: createDynamoDbApiKeyStore(dynamodb, config.TABLE_NAME),
    budget: createDynamoDbRateBudget(dynamodb, config.TABLE_NAME),
  };
}

/** The API as the function serves it: keys from the table, each key's rate from the configuration. */
export function createKeyedQueryApi(
  config: QueryConfig,
  adapters: ReturnType<typeof createQueryAdapters>,
  log: Log,
) {
  return createQueryApi({
    retrieval: adapters,
    authenticate: (authorization) => authenticate(adapters.keys, authorization),
    admit: keyRateLimiter(adapters.budget, {
      requestsPerSecond: config.QUERY_REQUESTS_PER_SECOND,
      burst: config.QUERY_BURST,
    }),
    log,
  });
}
