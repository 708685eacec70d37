/**
 * The sweep (scheduled resync): a unit sync for every enabled Notion document in scope.
 * Each unit sync then decides cheaply (one Notion request) whether anything changed.
 */
import type { SweepMessage } from "../messages.js";
import type { DocumentStore, Log, MessagePublisher } from "../ports.js";

export interface SweepResult {
  documents: number;
  enqueued: number;
}

export async function sweep(
  ports: { store: DocumentStore; syncQueue: MessagePublisher; log: Log },
  message: SweepMessage,
): Promise<SweepResult> {
  const documents = await ports.store.listDocuments({
    tenantId: message.tenantId,
    datasetId: message.datasetId,
  });
  const inScope = documents.filter(
    (document) => document.enabled && document.dataSourceType === "notion_import",
  );
  for (const document of inScope) {
    await ports.syncQueue.send({ datasetId: document.datasetId, documentId: document.documentId });
  }
  ports.log.info("sweep enqueued unit syncs", {
    ...message,
    documents: documents.length,
    enqueued: inScope.length,
  });
  return { documents: documents.length, enqueued: inScope.length };
}
