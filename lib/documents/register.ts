/**
 * Registers Notion pages or databases as documents of a dataset and queues their first sync.
 * Registering the same page twice in a dataset finds the same document (ids are derived).
 */
import { createHash } from "node:crypto";
import { defaultDataset } from "../datasets.js";
import { PermanentError } from "../errors.js";
import type { Document } from "../model.js";
import type { Clock, DocumentStore, MessagePublisher } from "../ports.js";

export interface RegisterRequest {
  tenantId: string;
  datasetId: string;
  workspaceId: string;
  /** Dashed Notion ids. */
  pageIds: string[];
  embeddingModel: string;
}

export interface RegisteredDocument {
  documentId: string;
  datasetId: string;
  tenantId: string;
  pageId: string;
  created: boolean;
}

export function documentIdFor(tenantId: string, datasetId: string, pageId: string): string {
  const hex = createHash("sha256").update(`${tenantId}\u0000${datasetId}\u0000${pageId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export async function registerDocuments(
  ports: { store: DocumentStore; syncQueue: MessagePublisher; clock: Clock },
  request: RegisterRequest,
): Promise<RegisteredDocument[]> {
  const now = ports.clock.now();
  const dataset = await ports.store.ensureDataset(
    defaultDataset(request.tenantId, request.datasetId, request.embeddingModel, now),
  );
  if (dataset.tenantId !== request.tenantId) {
    throw new PermanentError(`dataset ${request.datasetId} belongs to another tenant`);
  }
  const registered: RegisteredDocument[] = [];
  for (const pageId of request.pageIds) {
    const { document, created } = await ports.store.createDocument(newDocument(request, pageId, now));
    await ports.syncQueue.send({ datasetId: document.datasetId, documentId: document.documentId });
    registered.push({
      documentId: document.documentId,
      datasetId: document.datasetId,
      tenantId: document.tenantId,
      pageId,
      created,
    });
  }
  return registered;
}

function newDocument(request: RegisterRequest, pageId: string, now: Date): Document {
  return {
    tenantId: request.tenantId,
    datasetId: request.datasetId,
    documentId: documentIdFor(request.tenantId, request.datasetId, pageId),
    title: "",
    dataSourceType: "notion_import",
    dataSourceInfo: { workspaceId: request.workspaceId, pageId },
    indexingStatus: "waiting",
    generation: 0,
    createdAt: now.toISOString(),
    isPaused: false,
    wordCount: 0,
    tokens: 0,
    segmentCount: 0,
    enabled: true,
    archived: false,
  };
}
