/**
 * Setting a dataset's scope (`dataset set --scope`, `add --follow`): the scope is counted first and
 * refused when it would hold more than the maximum; then it is saved, the binding learns that the
 * dataset follows it (what the webhook reads), and a sweep of the dataset is sent, whose full
 * listing registers what the scope holds (the backfill) and queues a check of each scope-registered
 * document now outside it (the sync removes those). Going back to `pages` checks them all.
 */
import { requireDataset } from "../core/datasets.js";
import type { Dataset, DatasetScope } from "../core/model.js";
import { type NotionAccessPorts, openNotionForBinding } from "../core/notion-access.js";
import type { Clock, MessagePublisher, ParentIndex } from "../core/ports.js";
import { PermanentError } from "../shared/errors.js";
import { countScope, type ScopeCount } from "./count-scope.js";
import { follows, type ScopeRequest, scopeFrom } from "./scope-settings.js";

export interface SetScopePorts extends NotionAccessPorts {
  parents: ParentIndex;
  syncQueue: MessagePublisher;
  clock: Clock;
}

export interface SetScopeRequest extends ScopeRequest {
  tenantId: string;
  datasetId: string;
  /** Count only: nothing is saved or sent. */
  dryRun?: boolean;
  onProgress?: (listed: number) => void;
}

export interface SetScopeResult {
  dataset: Dataset;
  scope: DatasetScope;
  /** Undefined for `pages`, which holds only what was added by hand. */
  count?: ScopeCount;
  saved: boolean;
  /** Scope-registered documents queued for a check (the scope narrowed). */
  rechecked: number;
  /** Documents the dataset would hold with the scope's additions; over `scope.maxDocuments`, refused. */
  wouldHold: number;
}

export async function setDatasetScope(
  ports: SetScopePorts,
  request: SetScopeRequest,
): Promise<SetScopeResult> {
  const { tenantId, datasetId } = request;
  const dataset = await requireDataset(ports.store, tenantId, datasetId);
  const binding = await ports.store.getBinding(tenantId, request.workspaceId);
  if (binding === undefined) {
    throw new PermanentError(
      `tenant ${tenantId} has no Notion binding for workspace ${request.workspaceId}: connect it first (\`notion-index-sync connect\`)`,
    );
  }
  const scope = scopeFrom(request, dataset.scope, ports.clock.now());
  const documents = await ports.store.listDocuments({ tenantId, datasetId });

  let count: ScopeCount | undefined;
  let wouldHold = documents.length;
  if (follows(scope)) {
    const source = await openNotionForBinding(ports, binding);
    count = await countScope(
      ports,
      source,
      binding,
      scope,
      new Set(documents.map((document) => document.dataSourceInfo.pageId)),
      request.onProgress,
    );
    wouldHold = documents.length + count.toAdd;
    if (wouldHold > scope.maxDocuments) {
      const message = `dataset ${datasetId} would hold ${wouldHold} documents (${count.toAdd} to add), more than its maximum of ${scope.maxDocuments}: narrow the scope, or raise it with --max-documents`;
      if (!request.dryRun) throw new PermanentError(`${message}; nothing was changed`);
    }
  }
  if (request.dryRun)
    return { dataset, scope, ...(count ? { count } : {}), saved: false, rechecked: 0, wouldHold };

  const saved = { ...dataset, scope };
  await ports.store.saveDataset(saved);
  await updateFollowers(ports, dataset, scope);
  if (follows(scope)) {
    await ports.syncQueue.send({ type: "sweep", tenantId, workspaceId: scope.workspaceId, datasetId });
  }
  // Back to `pages`: no sweep follows the dataset any more, so each document the scope registered is
  // checked now (and removed). A narrower scope that still follows is settled by its backfill sweep.
  let rechecked = 0;
  if (!follows(scope) && follows(dataset.scope)) {
    for (const document of documents) {
      if (document.registeredBy !== "scope" || document.archived) continue;
      await ports.syncQueue.send({ tenantId, datasetId, documentId: document.documentId });
      rechecked += 1;
    }
  }
  return { dataset: saved, scope, ...(count ? { count } : {}), saved: true, rechecked, wouldHold };
}

/** The binding lists the datasets following it; a dataset moved to another binding leaves the old list. */
async function updateFollowers(ports: SetScopePorts, dataset: Dataset, scope: DatasetScope): Promise<void> {
  const { tenantId, datasetId } = dataset;
  const previous = dataset.scope?.workspaceId;
  if (previous !== undefined && previous !== scope.workspaceId) {
    const old = await ports.store.getBinding(tenantId, previous);
    if (old !== undefined) {
      await ports.store.putBinding({
        ...old,
        followers: (old.followers ?? []).filter((id) => id !== datasetId),
      });
    }
  }
  const binding = await ports.store.getBinding(tenantId, scope.workspaceId);
  if (binding === undefined) return;
  const others = (binding.followers ?? []).filter((id) => id !== datasetId);
  await ports.store.putBinding({ ...binding, followers: follows(scope) ? [...others, datasetId] : others });
}
