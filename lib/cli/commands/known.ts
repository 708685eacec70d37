/**
 * A name the user typed must name something: a typo in `--dataset` or `--tenant` is an error with
 * a reason, never a quiet "no documents" or "queued 0".
 */

import { type Dataset, DEFAULT_TENANT } from "../../core/model.js";
import type { DocumentScope, DocumentStore } from "../../core/ports.js";
import { PermanentError } from "../../shared/errors.js";

/**
 * The dataset a `--dataset` (and maybe `--tenant`) names. Without `--tenant`: the default tenant's,
 * else the one dataset of that id in any tenant, so a single-tenant user never types a tenant and
 * a name that two tenants use is an error that says which tenants.
 */
export async function knownDataset(
  store: DocumentStore,
  datasetId: string,
  tenantId?: string,
): Promise<Dataset> {
  if (tenantId !== undefined) {
    const dataset = await store.getDataset(tenantId, datasetId);
    if (dataset) return dataset;
    throw new PermanentError(
      `no dataset ${datasetId} in tenant ${tenantId} (a dataset is created by \`add --tenant ${tenantId} --dataset ${datasetId}\` or \`dataset create ${datasetId} --tenant ${tenantId}\`)`,
    );
  }
  const ofDefault = await store.getDataset(DEFAULT_TENANT, datasetId);
  if (ofDefault) return ofDefault;
  const named = await store.findDatasets(datasetId);
  const [only] = named;
  if (only && named.length === 1) return only;
  if (named.length > 1) {
    const tenants = named.map((dataset) => dataset.tenantId).sort();
    throw new PermanentError(
      `dataset ${datasetId} exists in tenants ${tenants.join(", ")}: say which with --tenant`,
    );
  }
  throw new PermanentError(
    `no dataset ${datasetId} (a dataset is created by \`add --dataset ${datasetId}\` or \`dataset create ${datasetId}\`)`,
  );
}

export async function knownTenant(store: DocumentStore, tenantId: string): Promise<void> {
  if ((await store.listDocuments({ tenantId })).length === 0) {
    throw new PermanentError(
      `no tenant ${tenantId}: it has no documents (\`add <page> --tenant ${tenantId}\`)`,
    );
  }
}

/** What `--dataset` and `--tenant` select: one dataset (of its tenant), a tenant's documents, or all. */
export async function documentScope(
  store: DocumentStore,
  options: { dataset?: string; tenant?: string },
): Promise<DocumentScope> {
  if (options.dataset !== undefined) {
    const dataset = await knownDataset(store, options.dataset, options.tenant);
    return { tenantId: dataset.tenantId, datasetId: dataset.datasetId };
  }
  return options.tenant === undefined ? {} : { tenantId: options.tenant };
}
