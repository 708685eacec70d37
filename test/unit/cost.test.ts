import { describe, expect, it } from "vitest";
import { documentView, totalsView } from "../../lib/cli/commands/documents-view.js";
import type { Document, RunCounts } from "../../lib/core/model.js";
import { estimateRunCost, formatUsd } from "../../lib/cost/estimate.js";
import { EMBEDDING_USD_PER_MILLION_TOKENS, PINECONE } from "../../lib/shared/prices.js";

const run: RunCounts = {
  segmentsWritten: 10,
  segmentsDeleted: 0,
  vectorsDeleted: 0,
  tokens: 2_000_000,
  embedded: 10,
  cached: 0,
  embeddingProvider: "openai",
  embeddingModel: "text-embedding-3-small",
  embeddingRequests: 1,
  cacheRequests: 2,
  notionRequests: 3,
  pineconeReadRequests: 1,
  pineconeWriteRequests: 1,
};

describe("the cost estimate", () => {
  it("prices embedded tokens by provider and model, and Pinecone units by the table", () => {
    const cost = estimateRunCost(run);
    const perMillion = EMBEDDING_USD_PER_MILLION_TOKENS["openai/text-embedding-3-small"] as number;
    expect(cost.embeddingUsd).toBeCloseTo(2 * perMillion, 12);
    const writeUnits = Math.max(PINECONE.writeUnitsPerRequest, 10 * PINECONE.writeUnitsPerUpsertedVector);
    expect(cost.pineconeUsd).toBeCloseTo(
      (writeUnits * PINECONE.usdPerMillionWriteUnits +
        PINECONE.readUnitsPerRequest * PINECONE.usdPerMillionReadUnits) /
        1e6,
      12,
    );
    expect(cost.totalUsd).toBeCloseTo(
      cost.embeddingUsd + cost.pineconeUsd + cost.notionUsd + cost.cacheUsd,
      12,
    );
    expect(cost.priced).toBe(true);
  });

  it("costs nothing for a run that sent nothing, and flags a model missing from the table", () => {
    expect(estimateRunCost({ tokens: 0 }).totalUsd).toBe(0);
    const unknown = estimateRunCost({ ...run, embeddingModel: "not-in-the-table" });
    expect(unknown.priced).toBe(false);
    expect(unknown.embeddingUsd).toBe(0);
    // A run recorded before the request counts were kept: tokens unpriced, requests taken as 0.
    expect(estimateRunCost({ tokens: 5 }).priced).toBe(false);
  });

  it("formats small amounts readably", () => {
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(0.000123456)).toBe("$0.000123");
    expect(formatUsd(12.345)).toBe("$12.35");
  });
});

describe("status figures", () => {
  const document = (id: string, lastRun?: RunCounts): Document =>
    ({
      tenantId: "t",
      datasetId: "d",
      documentId: id,
      title: id,
      dataSourceType: "notion_import",
      dataSourceInfo: { workspaceId: "w", pageId: id, type: "page" },
      indexingStatus: "completed",
      generation: 1,
      isPaused: false,
      segmentCount: 10,
      tokens: 100,
      wordCount: 50,
      enabled: true,
      archived: false,
      ...(lastRun ? { lastRun } : {}),
    }) as Document;

  it("shows each run's requests and estimate, and sums them into totals", () => {
    const view = documentView(document("a", run));
    expect(view.lastRun).toMatchObject({
      embedded: 10,
      cached: 0,
      tokens: 2_000_000,
      notionRequests: 3,
      pineconeRequests: 2,
      embeddingRequests: 1,
      estimatedCostUsd: estimateRunCost(run).totalUsd,
    });
    const totals = totalsView([document("a", run), document("b", run), document("c")]);
    expect(totals).toMatchObject({
      documents: 3,
      documentsWithRuns: 2,
      segmentCount: 30,
      // The documents' own tokens (the table's column) and what their last runs embedded, apart.
      tokens: 300,
      lastRunTokens: 4_000_000,
      notionRequests: 6,
      pineconeRequests: 4,
      embeddingRequests: 2,
      costPriced: true,
    });
    expect(totals.estimatedCostUsd).toBeCloseTo(2 * estimateRunCost(run).totalUsd, 12);
  });

  it("shows null for request counts a run recorded before they were kept", () => {
    const old: RunCounts = {
      segmentsWritten: 1,
      segmentsDeleted: 0,
      vectorsDeleted: 0,
      tokens: 0,
      embedded: 0,
      cached: 1,
    };
    expect(documentView(document("a", old)).lastRun).toMatchObject({
      notionRequests: null,
      pineconeRequests: null,
      embeddingRequests: null,
      estimatedCostUsd: 0,
    });
  });
});
