/**
 * Registers Notion pages or databases as documents of a dataset and queues their first sync.
 * Registering the same page twice in a dataset finds the same document (ids are derived).
 * What lies below a page is followed by the dataset's scope instead (lib/scopes).
 */

import { createHash } from "node:crypto";
import { defaultDataset } from "../core/datasets.js";
import { checkTenantId } from "../core/ids.js";
import type { Document } from "../core/model.js";
import { type NotionAccessPorts, openNotionFor } from "../core/notion-access.js";
import type { Clock, DocumentStore, MessagePublisher } from "../core/ports.js";
import { NotionNotFoundError, PermanentError, QuotaExceededError } from "../shared/errors.js";
import { documentQuotaMessage, documentRoom } from "../tenants/quotas.js";

export interface RegisterRequest {
  tenantId: string;
  datasetId: string;
  workspaceId: string;
  /** Dashed Notion ids. */
  pageIds: string[];
  embeddingModel: string;
  /** `scope`: found by the dataset's scope, and removed when it leaves it (lib/scopes). */
  registeredBy?: "scope";
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
  checkTenantId(request.tenantId);
  const now = ports.clock.now();
  const dataset = await ports.store.ensureDataset(
    defaultDataset(request.tenantId, request.datasetId, request.embeddingModel, now),
  );
  if (dataset.tenantId !== request.tenantId) {
    throw new PermanentError(`dataset ${request.datasetId} belongs to another tenant`);
  }
  const tenant = await documentRoom(ports.store, request.tenantId);
  if (Number.isFinite(tenant.room)) {
    const ids = request.pageIds.map((pageId) => documentIdFor(request.tenantId, request.datasetId, pageId));
    const existing = new Set((await ports.store.getDocuments(ids)).map((document) => document.documentId));
    const adding = new Set(ids.filter((id) => !existing.has(id))).size;
    if (adding > tenant.room) {
      throw new QuotaExceededError(
        `${documentQuotaMessage(request.tenantId, tenant, adding)}; nothing was registered`,
        "documents",
      );
    }
  }
  const registered: RegisteredDocument[] = [];
  for (const pageId of request.pageIds) {
    const { document, created } = await ports.store.createDocument(newDocument(request, pageId, now));
    await ports.syncQueue.send({
      tenantId: document.tenantId,
      datasetId: document.datasetId,
      documentId: document.documentId,
    });
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

/**
 * Before anything is registered: every id must be a page or database the binding's integration can
 * see, and not in the trash. Otherwise the document would only show up later as `archived`.
 */
export async function checkVisibleInNotion(
  ports: { clock: Clock } & NotionAccessPorts,
  request: RegisterRequest,
): Promise<void> {
  const [first] = request.pageIds;
  if (first === undefined) return;
  const source = await openNotionFor(ports, newDocument(request, first, ports.clock.now()));
  for (const pageId of request.pageIds) {
    let state: Awaited<ReturnType<typeof source.getState>>;
    try {
      state = await source.getState(pageId);
    } catch (error) {
      if (!(error instanceof NotionNotFoundError)) throw error;
      throw new PermanentError(
        `Notion has no page or database ${pageId} that the integration can see: share it with the integration (in Notion: ••• → Connections → your integration), or check the id; nothing was registered`,
      );
    }
    if (state.archived || state.inTrash) {
      throw new PermanentError(`${pageId} is in Notion's trash: restore it first; nothing was registered`);
    }
  }
}

/** The document a page becomes in a dataset, before its first sync. */
export function newDocument(
  request: Omit<RegisterRequest, "pageIds" | "embeddingModel">,
  pageId: string,
  now: Date,
): Document {
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
    ...(request.registeredBy === undefined ? {} : { registeredBy: request.registeredBy }),
  };
}
