/**
 * Re-indexing a dataset after its rule or doc form changed. The sync re-indexes a document when the
 * `lastEditedTime` of its indexed content differs from Notion's; a document indexed with other settings
 * has that time cleared, so its next sync re-indexes it although its Notion content is unchanged, and it
 * gets a sync now. A run that was splitting with the old settings meanwhile re-checks them when it
 * completes (lib/indexing/index-document.ts), so no document keeps chunks of the old rule.
 */
import { ruleFingerprint } from "../chunking/rules.js";
import { type Dataset, type Document, VECTOR_METADATA_VERSION } from "../core/model.js";
import type { DocumentStore, MessagePublisher } from "../core/ports.js";
import { ConflictError } from "../shared/errors.js";

export interface ReindexCounts {
  /** Documents of the dataset. */
  documents: number;
  /** Syncs queued: the documents indexed with other settings, or not indexed yet. */
  queued: number;
}

/**
 * Which documents are re-indexed: those cut with other settings (always), those whose vectors
 * predate the current metadata (`outdatedMetadata`: `dataset reindex`), or all (`all`: `--all`).
 */
export interface ReindexScope {
  outdatedMetadata?: boolean;
  all?: boolean;
}

export async function reindexDataset(
  ports: { store: DocumentStore; syncQueue: MessagePublisher },
  dataset: Dataset,
  scope: ReindexScope = {},
): Promise<ReindexCounts> {
  const fingerprint = ruleFingerprint(dataset.processRule, dataset.docForm);
  const documents = await ports.store.listDocuments({
    tenantId: dataset.tenantId,
    datasetId: dataset.datasetId,
  });
  const isStale = ({ dataSourceInfo: info }: Document) =>
    scope.all === true ||
    info.ruleFingerprint !== fingerprint ||
    (scope.outdatedMetadata === true && info.metadataVersion !== VECTOR_METADATA_VERSION);
  const stale = documents.filter((document) => document.enabled && !document.archived && isStale(document));
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
