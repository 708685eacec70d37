/**
 * The retrieval API over in-memory ports, for tests of the handler itself (bodies, the client
 * package): one tenant's dataset holding one indexed chunk, and the API answering for that tenant.
 * test/integration/query-api.test.ts runs the same handler on the stand-ins.
 */
import { defaultDataset } from "../../lib/core/datasets.js";
import type { Document } from "../../lib/core/model.js";
import type { Log } from "../../lib/core/ports.js";
import { createLocalEmbedder } from "../../lib/embedding/local-embedder.js";
import { createQueryApi } from "../../lib/retrieval/query-api.js";
import type { Access } from "../../lib/retrieval/retrieve.js";
import { createMemoryStore, createMemoryVectorIndex } from "./memory-ports.js";

export const MEMORY_TENANT = "acme";
export const MEMORY_DATASET = "handbook";
export const MEMORY_PAGE = "11111111-1111-4111-8111-111111111111";
export const MEMORY_CHUNK = {
  title: "FAQ",
  text: "Refunds within 30 days.",
  source: "https://www.notion.so/faq#1",
};

const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };

export async function createMemoryQueryApi(
  authenticate: (authorization: string | undefined) => Promise<Access> = async () => ({
    tenantId: MEMORY_TENANT,
  }),
) {
  const store = createMemoryStore();
  const vectors = createMemoryVectorIndex();
  const embedder = createLocalEmbedder(64);
  const dataset = defaultDataset(MEMORY_TENANT, MEMORY_DATASET, embedder.model, new Date());
  await store.ensureDataset(dataset);
  const document: Document = {
    tenantId: MEMORY_TENANT,
    datasetId: MEMORY_DATASET,
    documentId: "doc-1",
    title: MEMORY_CHUNK.title,
    dataSourceType: "notion_import",
    dataSourceInfo: { workspaceId: "ws", pageId: MEMORY_PAGE, type: "page" },
    indexingStatus: "completed",
    generation: 1,
    servingGeneration: 1,
    createdAt: new Date().toISOString(),
    isPaused: false,
    wordCount: 4,
    tokens: 6,
    segmentCount: 1,
    enabled: true,
    archived: false,
  };
  await store.createDocument(document);
  await vectors.upsert(dataset.vectorNamespace, [
    {
      id: "doc-1#1#0",
      values: await embedder.embedQuery(MEMORY_CHUNK.text),
      metadata: {
        tenantId: MEMORY_TENANT,
        datasetId: MEMORY_DATASET,
        documentId: document.documentId,
        position: 0,
        text: MEMORY_CHUNK.text,
        title: MEMORY_CHUNK.title,
        source: MEMORY_CHUNK.source,
        headingPath: ["Refunds"],
        pageId: MEMORY_PAGE,
      },
    },
  ]);
  return createQueryApi({
    retrieval: { store, vectors, embedders: { forDataset: () => embedder } },
    authenticate,
    log: quiet,
  });
}
