import * as z from "zod/mini";
import { configSchema, positiveNumber, validated, wholeNumber } from "./config.js";

const shared = configSchema.shape;

/**
 * The query function's configuration: the table (datasets, documents, segments, keys), Pinecone and
 * the embedders (a query is embedded by its dataset's model). No queue and no Notion.
 */
const queryConfigSchema = z.object({
  TABLE_NAME: shared.TABLE_NAME,
  AWS_REGION: shared.AWS_REGION,
  DYNAMODB_ENDPOINT: shared.DYNAMODB_ENDPOINT,
  PINECONE_INDEX_HOST: shared.PINECONE_INDEX_HOST,
  PINECONE_API_KEY: shared.PINECONE_API_KEY,
  PINECONE_CONTROLLER_HOST: shared.PINECONE_CONTROLLER_HOST,
  EMBEDDING_PROVIDER: shared.EMBEDDING_PROVIDER,
  EMBEDDING_MODEL: shared.EMBEDDING_MODEL,
  EMBEDDING_DIMENSION: shared.EMBEDDING_DIMENSION,
  EMBEDDING_CACHE: shared.EMBEDDING_CACHE,
  OPENAI_API_KEY: shared.OPENAI_API_KEY,
  OPENAI_BASE_URL: shared.OPENAI_BASE_URL,
  BEDROCK_REGION: shared.BEDROCK_REGION,
  BEDROCK_ENDPOINT: shared.BEDROCK_ENDPOINT,
  /** Each API key's request rate (every instance of the function shares it) and its burst. */
  QUERY_REQUESTS_PER_SECOND: z._default(positiveNumber(10_000), 10),
  QUERY_BURST: z._default(wholeNumber(1, 10_000), 20),
});

export type QueryConfig = z.infer<typeof queryConfigSchema>;

export function loadQueryConfig(env: NodeJS.ProcessEnv = process.env): QueryConfig {
  return validated(queryConfigSchema, env, "invalid query configuration");
}
