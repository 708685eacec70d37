import { AUTOMATIC_RULE, type Dataset, type Document, namespaceFor } from "./model.js";
import type { DocumentStore } from "./ports.js";

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
  const dataset = await store.getDataset(document.datasetId);
  if (dataset && dataset.tenantId === document.tenantId) return dataset;
  return defaultDataset(document.tenantId, document.datasetId, "unknown", new Date(document.createdAt));
}
