/**
 * The retrieval rules, for the query function and the CLI alike (one code path):
 * - a caller reaches its own tenant's datasets only, and only those its key names when it names any;
 * - only each document's serving generation is returned (./serving.ts): never two generations of a
 *   document, never a deleted, archived or disabled one;
 * - matches of several datasets are merged by score; they must share an embedding model, since
 *   scores of two models are not comparable.
 * Stale vectors are dropped after the search, so the search asks for more than `topK` and, when too
 * many were dropped, asks again for more (up to Pinecone's 1,000 with metadata).
 */

import type { Dataset, Document } from "../core/model.js";
import type { DocumentStore, Embedder, VectorIndex, VectorMatch } from "../core/ports.js";
import { parentContexts } from "../documents/parent-context.js";
import { ApiError } from "./api-error.js";
import { DEFAULT_TOP_K, type QueryRequest, requestedDatasets } from "./query-request.js";
import type { QueryMatch, QueryResponse } from "./query-response.js";
import { keepServed } from "./serving.js";
import { vectorFilter } from "./vector-filter.js";

/** Pinecone's largest top_k when metadata is returned. */
export const MAX_SEARCH_TOP_K = 1000;

export interface RetrievalPorts {
  store: Pick<DocumentStore, "getDataset" | "getDocuments" | "listSegments">;
  vectors: Pick<VectorIndex, "query">;
  embedders: { forDataset(dataset: Dataset): Embedder };
}

/** Who asks: a tenant, and the datasets its key is limited to (all of the tenant's when absent). */
export interface Access {
  tenantId: string;
  datasetIds?: string[];
}

export async function retrieve(
  ports: RetrievalPorts,
  access: Access,
  request: QueryRequest,
): Promise<QueryResponse> {
  const datasets = await reachableDatasets(ports, access, requestedDatasets(request));
  const models = new Set(datasets.map((dataset) => dataset.embeddingModel));
  if (models.size > 1)
    throw new ApiError(
      "invalid_request",
      `datasets ${datasets.map((dataset) => dataset.datasetId).join(", ")} use different embedding models (${[...models].join(", ")}): query them one at a time`,
    );
  const topK = request.topK ?? DEFAULT_TOP_K;
  // The query is embedded by the model the datasets' vectors were made with.
  const vector = await ports.embedders.forDataset(datasets[0] as Dataset).embedQuery(request.query);
  const found = await Promise.all(
    datasets.map((dataset) => searchDataset(ports, dataset, vector, topK, request)),
  );
  const best = found
    .flat()
    .sort((a, b) => b.match.score - a.match.score)
    .slice(0, topK);
  const parents = request.includeParent
    ? await parentContexts(
        ports.store,
        best.filter(({ dataset }) => dataset.docForm === "hierarchical").map(({ match }) => match),
      )
    : new Map<string, string>();
  return { matches: best.map((found) => toMatch(found, parents.get(found.match.id))) };
}

async function reachableDatasets(
  ports: RetrievalPorts,
  access: Access,
  datasetIds: string[],
): Promise<Dataset[]> {
  return Promise.all(
    datasetIds.map(async (datasetId) => {
      if (access.datasetIds !== undefined && !access.datasetIds.includes(datasetId))
        throw new ApiError("forbidden", `this key does not reach dataset ${datasetId}`);
      // Only the key's tenant's datasets: a key learns nothing of other tenants.
      const dataset = await ports.store.getDataset(access.tenantId, datasetId);
      if (dataset === undefined) throw new ApiError("not_found", `no dataset ${datasetId} for this tenant`);
      return dataset;
    }),
  );
}

interface Found {
  match: VectorMatch;
  dataset: Dataset;
  document: Document;
}

async function searchDataset(
  ports: RetrievalPorts,
  dataset: Dataset,
  vector: number[],
  topK: number,
  request: QueryRequest,
): Promise<Found[]> {
  const scope = { tenantId: dataset.tenantId, datasetId: dataset.datasetId };
  const filter = vectorFilter(scope, request.filter);
  const documents = new Map<string, Document>();
  // Twice what is asked, and a margin: a reindex in flight doubles a document's vectors at most.
  let searchTopK = Math.min(MAX_SEARCH_TOP_K, topK * 2 + 10);
  for (;;) {
    const matches = await ports.vectors.query(dataset.vectorNamespace, vector, { topK: searchTopK, filter });
    const unknown = [...new Set(matches.flatMap((match) => match.metadata?.documentId ?? []))].filter(
      (documentId) => !documents.has(documentId),
    );
    for (const document of await ports.store.getDocuments(unknown))
      documents.set(document.documentId, document);
    const kept = keepServed(matches, documents, scope);
    const exhausted = matches.length < searchTopK || searchTopK === MAX_SEARCH_TOP_K;
    if (kept.length >= topK || exhausted) {
      return kept.slice(0, topK).map((match) => ({
        match,
        dataset,
        document: documents.get(match.metadata?.documentId as string) as Document,
      }));
    }
    searchTopK = Math.min(MAX_SEARCH_TOP_K, searchTopK * 4);
  }
}

function toMatch({ match, dataset, document }: Found, parentContent: string | undefined): QueryMatch {
  const metadata = match.metadata;
  const lastEdited = metadata?.lastEditedTime ?? Date.parse(document.dataSourceInfo.lastEditedTime ?? "");
  const databaseId =
    metadata?.databaseId ??
    (document.dataSourceInfo.type === "database" ? document.dataSourceInfo.pageId : undefined);
  return {
    id: match.id,
    score: match.score,
    content: metadata?.text ?? "",
    datasetId: dataset.datasetId,
    documentId: document.documentId,
    // Vectors written before pageId was kept fall back to the document's page.
    pageId: metadata?.pageId ?? document.dataSourceInfo.pageId,
    ...(databaseId === undefined ? {} : { databaseId }),
    title: metadata?.title ?? document.title,
    headingPath: metadata?.headingPath ?? [],
    sourceUrl: metadata?.source ?? "",
    ...(Number.isFinite(lastEdited) ? { lastEditedTime: new Date(lastEdited).toISOString() } : {}),
    ...(parentContent === undefined ? {} : { parentContent }),
  };
}
