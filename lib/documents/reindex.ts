/**
 * Re-indexing a dataset after its rule or doc form changed. The sync re-indexes a document when the
 * `lastEditedTime` of its indexed content differs from Notion's; a document indexed with other settings
 * has that time cleared, so its next sync re-indexes it although its Notion content is unchanged, and it
 * gets a sync now. A run that was splitting with the old settings meanwhile re-checks them when it
 * completes (lib/indexing/index-document.ts), so no document keeps chunks of the old rule.
 */
import { ruleFingerprint } from "../chunking/rules.js";
import type { Dataset, Document } from "../core/model.js";
import type { DocumentStore, MessagePublisher } from "../core/ports.js";
import { ConflictError } from "../shared/errors.js";

export interface ReindexCounts {
  /** Documents of the dataset. */
  documents: number;
  /** Syncs queued: the documents indexed with other settings, or not indexed yet. */
  queued: number;
}

export async function reindexDataset(
  ports: { store: DocumentStore; syncQueue: MessagePublisher },
  dataset: Dataset,
): Promise<ReindexCounts> {
  const fingerprint = ruleFingerprint(dataset.processRule, dataset.docForm);
  const documents = await ports.store.listDocuments({
    tenantId: dataset.tenantId,
    datasetId: dataset.datasetId,
  });
  const stale = documents.filter(
    (document) =>
      document.enabled && !document.archived && document.dataSourceInfo.ruleFingerprint !== fingerprint,
  );
  for (const document of stale) {
    await markStale(ports.store, document);
    await ports.syncQueue.send({
      tenantId: document.tenantId,
      datasetId: document.datasetId,
      documentId: document.documentId,
    });
  }
  return { documents: documents.length, queued: stale.length };
}

/** A generation that moved belongs to a run that reads the new settings itself. */
async function markStale(store: DocumentStore, document: Document): Promise<void> {
  if (document.dataSourceInfo.lastEditedTime === undefined) return;
  try {
    await store.updateDocument(document.documentId, document.generation, {
      dataSourceInfo: { ...document.dataSourceInfo, lastEditedTime: undefined },
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}
