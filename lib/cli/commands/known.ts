/**
 * A name the user typed must name something: a typo in `--dataset` or `--tenant` is an error with
 * a reason, never a quiet "no documents" or "queued 0".
 */

import type { Dataset } from "../../core/model.js";
import type { DocumentStore } from "../../core/ports.js";
import { PermanentError } from "../../shared/errors.js";

export async function knownDataset(store: DocumentStore, datasetId: string): Promise<Dataset> {
  const dataset = await store.getDataset(datasetId);
  if (!dataset) {
    throw new PermanentError(
      `no dataset ${datasetId} (a dataset is created by \`add --dataset ${datasetId}\` or \`dataset create ${datasetId}\`)`,
    );
  }
  return dataset;
}

export async function knownTenant(store: DocumentStore, tenantId: string): Promise<void> {
  if ((await store.listDocuments({ tenantId })).length === 0) {
    throw new PermanentError(
      `no tenant ${tenantId}: it has no documents (\`add <page> --tenant ${tenantId}\`)`,
    );
  }
}
