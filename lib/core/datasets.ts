/**
 * Datasets: their default settings, and creating or changing them. Settings are the process rule and
 * the doc form; a change that would cut documents differently re-indexes them (lib/documents/reindex.ts).
 */

import { ruleFingerprint, validateProcessRule } from "../chunking/rules.js";
import { type ReindexCounts, reindexDataset } from "../documents/reindex.js";
import { PermanentError } from "../shared/errors.js";
import { checkTenantId } from "./ids.js";
import {
  AUTOMATIC_RULE,
  type Dataset,
  type DocForm,
  type Document,
  namespaceFor,
  type ProcessRule,
} from "./model.js";
import type { DocumentStore, MessagePublisher } from "./ports.js";

export interface DatasetSettings {
  processRule: ProcessRule;
  docForm: DocForm;
}

/** A dataset as `add` creates it when it does not exist yet: the `automatic` rule, text form. */
export function defaultDataset(
  tenantId: string,
  datasetId: string,
  embeddingModel: string,
  now: Date,
): Dataset {
  return {
    tenantId,
    datasetId,
    name: datasetId,
    processRule: { ...AUTOMATIC_RULE },
    docForm: "text",
    embeddingModel,
    vectorNamespace: namespaceFor(tenantId, datasetId),
    createdAt: now.toISOString(),
  };
}

/** The document's dataset; a document whose dataset record is missing still gets a namespace. */
export async function datasetOf(store: DocumentStore, document: Document): Promise<Dataset> {
  const dataset = await store.getDataset(document.tenantId, document.datasetId);
  if (dataset) return dataset;
  return defaultDataset(document.tenantId, document.datasetId, "unknown", new Date(document.createdAt));
}

/** A tenant's dataset, or a PermanentError that says what is wrong. */
export async function requireDataset(
  store: DocumentStore,
  tenantId: string,
  datasetId: string,
): Promise<Dataset> {
  const dataset = await store.getDataset(tenantId, datasetId);
  if (!dataset) throw new PermanentError(`no dataset ${datasetId} in tenant ${tenantId}`);
  return dataset;
}

export async function createDataset(
  store: DocumentStore,
  request: {
    tenantId: string;
    datasetId: string;
    embeddingModel: string;
    settings: DatasetSettings;
    now: Date;
  },
): Promise<Dataset> {
  checkTenantId(request.tenantId);
  validateProcessRule(request.settings.processRule, request.settings.docForm);
  if (await store.getDataset(request.tenantId, request.datasetId)) {
    throw new PermanentError(`dataset ${request.datasetId} already exists: change it with \`dataset set\``);
  }
  const dataset = {
    ...defaultDataset(request.tenantId, request.datasetId, request.embeddingModel, request.now),
    ...request.settings,
  };
  return store.ensureDataset(dataset);
}

/**
 * Changes a dataset's settings. When they would cut documents differently, every document indexed with
 * other settings is queued for re-indexing, even though its Notion content did not change.
 */
export async function changeDatasetSettings(
  ports: { store: DocumentStore; syncQueue: MessagePublisher },
  request: { tenantId: string; datasetId: string; settings: DatasetSettings },
): Promise<{ dataset: Dataset; changed: boolean; reindex: ReindexCounts }> {
  const current = await requireDataset(ports.store, request.tenantId, request.datasetId);
  validateProcessRule(request.settings.processRule, request.settings.docForm);
  const dataset = { ...current, ...request.settings };
  const changed = settingsFingerprint(current) !== settingsFingerprint(dataset);
  if (!changed) return { dataset: current, changed, reindex: { documents: 0, queued: 0 } };
  await ports.store.saveDataset(dataset);
  return { dataset, changed, reindex: await reindexDataset(ports, dataset) };
}

export function settingsFingerprint(dataset: DatasetSettings): string {
  return ruleFingerprint(dataset.processRule, dataset.docForm);
}
