/**
 * The price table the cost estimate uses. ESTIMATES, not a bill: list prices in USD as the authors
 * knew them on the date below, for the default tiers (no discounts, no free tiers, no taxes). They
 * were not fetched from the providers, and prices change: check the providers' pricing pages and
 * edit the numbers here (nothing else needs to change). A model missing from the table costs 0 in
 * the estimate and is flagged as unpriced.
 */

/** When the figures below were taken. Update it with the figures. */
export const PRICES_TAKEN_ON = "2026-11-28";

/** USD per 1M embedded tokens, by `provider/model`. */
export const EMBEDDING_USD_PER_MILLION_TOKENS: Readonly<Record<string, number>> = {
  "local/local-hash-v1": 0, // runs in the function: no provider bill
  "pinecone/multilingual-e5-large": 0.08,
  "pinecone/llama-text-embed-v2": 0.16,
  "openai/text-embedding-3-small": 0.02,
  "openai/text-embedding-3-large": 0.13,
  "openai/text-embedding-ada-002": 0.1,
  "bedrock/amazon.titan-embed-text-v2:0": 0.02,
};

/**
 * Pinecone serverless bills read and write units, not requests. The per-request and per-vector unit
 * counts are rough estimates for this pipeline's requests (upserts of one vector + its metadata,
 * deletes by id, listing by id prefix, a top-k query), not Pinecone's formula.
 */
export const PINECONE = {
  usdPerMillionWriteUnits: 4,
  usdPerMillionReadUnits: 16,
  /** Every write request (upsert batch, delete by ids) costs at least this many write units. */
  writeUnitsPerRequest: 5,
  /** An upserted vector with its metadata: ~1 write unit per KB; a 1024-dim vector + text ≈ 6 KB. */
  writeUnitsPerUpsertedVector: 6,
  /** A list page or a query. */
  readUnitsPerRequest: 5,
} as const;

/** The Notion API has no per-request price: requests are counted against its rate limit only. */
export const NOTION_USD_PER_REQUEST = 0;

/**
 * DynamoDB on-demand, for the embedding cache (BatchGetItem / BatchWriteItem): an average per
 * request, assuming full batches of ~6 KB items (100 reads or 25 writes a request).
 */
export const DYNAMODB_CACHE_USD_PER_REQUEST = 0.000_015;
