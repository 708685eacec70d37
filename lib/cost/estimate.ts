/**
 * An estimated cost for a run's counts, from the editable price table (lib/shared/prices.ts). Estimates only:
 * see the table for what they assume.
 */
import type { RunCounts } from "../core/model.js";
import {
  DYNAMODB_CACHE_USD_PER_REQUEST,
  EMBEDDING_USD_PER_MILLION_TOKENS,
  NOTION_USD_PER_REQUEST,
  PINECONE,
} from "../shared/prices.js";

export interface CostEstimate {
  embeddingUsd: number;
  pineconeUsd: number;
  notionUsd: number;
  cacheUsd: number;
  totalUsd: number;
  /** False when the run's embedding model is not in the price table (its tokens are counted as 0 USD). */
  priced: boolean;
}

/** Figures a run records for the estimate; counts missing from older runs are taken as 0. */
export type CostInputs = Partial<
  Pick<
    RunCounts,
    | "tokens"
    | "segmentsWritten"
    | "embeddingProvider"
    | "embeddingModel"
    | "notionRequests"
    | "pineconeReadRequests"
    | "pineconeWriteRequests"
    | "cacheRequests"
  >
>;

export function embeddingPricePerMillion(provider?: string, model?: string): number | undefined {
  if (!provider || !model) return undefined;
  return EMBEDDING_USD_PER_MILLION_TOKENS[`${provider}/${model}`];
}

export function estimateRunCost(run: CostInputs): CostEstimate {
  const tokens = run.tokens ?? 0;
  const price = embeddingPricePerMillion(run.embeddingProvider, run.embeddingModel);
  const embeddingUsd = ((price ?? 0) * tokens) / 1_000_000;
  const writeRequests = run.pineconeWriteRequests ?? 0;
  const writeUnits =
    writeRequests > 0
      ? Math.max(
          writeRequests * PINECONE.writeUnitsPerRequest,
          (run.segmentsWritten ?? 0) * PINECONE.writeUnitsPerUpsertedVector,
        )
      : 0;
  const readUnits = (run.pineconeReadRequests ?? 0) * PINECONE.readUnitsPerRequest;
  const pineconeUsd =
    (writeUnits * PINECONE.usdPerMillionWriteUnits + readUnits * PINECONE.usdPerMillionReadUnits) / 1_000_000;
  const notionUsd = (run.notionRequests ?? 0) * NOTION_USD_PER_REQUEST;
  const cacheUsd = (run.cacheRequests ?? 0) * DYNAMODB_CACHE_USD_PER_REQUEST;
  return {
    embeddingUsd,
    pineconeUsd,
    notionUsd,
    cacheUsd,
    totalUsd: embeddingUsd + pineconeUsd + notionUsd + cacheUsd,
    // Nothing embedded needs no price.
    priced: price !== undefined || tokens === 0,
  };
}

/** USD with enough digits to tell tiny runs apart: `$0.000123`. */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toPrecision(3).replace(/0+$/, "").replace(/\.$/, "")}`;
}
