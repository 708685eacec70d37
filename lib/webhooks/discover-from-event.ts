/**
 * New pages found by webhook events (docs/scopes.md): on `page.created`, `page.moved`,
 * `page.undeleted`, `database.created` and `data_source.created`, the object's parent (in the event)
 * goes into the parent index, and each dataset whose scope follows the binding registers the object
 * when the index places it inside the scope. The handler then enqueues its debounced sync as for any
 * registered page. Never a Notion call: what the index cannot place yet (a new database's parent is
 * not in its event) is left to the next sweep.
 */

import type { DataSourceBinding, Dataset } from "../core/model.js";
import type {
  BindingRef,
  Clock,
  DocumentStore,
  Log,
  NotionObjectKind,
  NotionParent,
  ParentIndex,
  ParentLink,
  WebhookStore,
} from "../core/ports.js";
import { newDocument } from "../documents/register.js";
import { follows } from "../scopes/scope-settings.js";
import { sameLink, WorkspaceTree } from "../scopes/workspace-tree.js";
import { documentQuotaMessage, documentRoom } from "../tenants/quotas.js";
import type { NotionWebhookEvent } from "./events.js";

export const DISCOVERY_EVENTS = [
  "page.created",
  "page.moved",
  "page.undeleted",
  "database.created",
  "data_source.created",
] as const;

export interface DiscoveryPorts {
  store: Pick<DocumentStore, "getDataset" | "createDocument" | "getTenant" | "countDocuments">;
  parents: ParentIndex;
  webhooks: Pick<WebhookStore, "findDocumentsByPage">;
  clock: Clock;
  log: Log;
}

/** Chains longer than this are not walked by a webhook (the sweep decides them). */
const MAX_WALK = 32;

/** Registers the event's object in the following datasets whose scope holds it; returns how many. */
export async function discoverFromEvent(
  ports: DiscoveryPorts,
  binding: DataSourceBinding,
  event: NotionWebhookEvent,
): Promise<number> {
  if (!(DISCOVERY_EVENTS as readonly string[]).includes(event.type)) return 0;
  const candidate = candidateOf(event);
  if (candidate === undefined) return 0;
  const where: BindingRef = { tenantId: binding.tenantId, workspaceId: binding.workspaceId };
  if (candidate.link !== undefined) {
    const recorded = (await ports.parents.get(where, [candidate.id])).get(candidate.id);
    if (recorded === undefined || !sameLink(recorded, candidate.link)) {
      await ports.parents.put(where, [candidate.link]);
    }
  }
  if (candidate.kind === "row" || (binding.followers ?? []).length === 0) return 0;

  const holding = new Set(
    (await ports.webhooks.findDocumentsByPage(where.tenantId, where.workspaceId, candidate.id)).map(
      (entry) => entry.datasetId,
    ),
  );
  let registered = 0;
  for (const datasetId of binding.followers ?? []) {
    if (holding.has(datasetId)) continue;
    const dataset = await ports.store.getDataset(where.tenantId, datasetId);
    if (!followsHere(dataset, where)) continue;
    const verdict = await membership(ports.parents, where, dataset, candidate);
    if (verdict !== "in") continue;
    const { scope } = dataset;
    if ((scope.documents ?? 0) >= scope.maxDocuments) {
      ports.log.warn(
        `dataset ${datasetId} is at its maximum of ${scope.maxDocuments} documents: ${candidate.id} not registered`,
        {
          ...where,
          datasetId,
        },
      );
      continue;
    }
    const tenant = await documentRoom(ports.store, where.tenantId);
    if (tenant.room < 1) {
      // Not dropped: the next sweep's listing finds it again, and registers it once there is room.
      ports.log.warn(
        `${candidate.id} not registered in dataset ${datasetId}: ${documentQuotaMessage(where.tenantId, tenant, 1)}`,
        {
          ...where,
          datasetId,
        },
      );
      continue;
    }
    const document = newDocument(
      { ...where, datasetId, registeredBy: "scope" },
      candidate.id,
      ports.clock.now(),
    );
    if ((await ports.store.createDocument(document)).created) registered += 1;
  }
  return registered;
}

interface Candidate {
  id: string;
  kind: NotionObjectKind;
  /** Its link, when the event says where it sits. */
  link?: ParentLink;
}

function candidateOf(event: NotionWebhookEvent): Candidate | undefined {
  const parent = event.data?.parent;
  if (event.type === "data_source.created") {
    // The data source's parent is its database; where the database sits, the event does not say.
    return parent?.type === "database" ? { id: parent.id, kind: "database" } : undefined;
  }
  // A row's parent is its database (and its data source, which some versions name instead).
  const rowParent = parent?.type === "database" || parent?.type === "data_source";
  const kind: NotionObjectKind = event.entity.type === "database" ? "database" : rowParent ? "row" : "page";
  const linkParent = parent === undefined ? undefined : parentOf(parent);
  return {
    id: event.entity.id,
    kind,
    ...(linkParent === undefined ? {} : { link: { id: event.entity.id, kind, parent: linkParent } }),
  };
}

/** The event's parent in our shape: Notion calls the workspace's top level `space` (or `workspace`). */
function parentOf(parent: { id: string; type: string }): NotionParent | undefined {
  switch (parent.type) {
    case "space":
    case "workspace":
      return { type: "workspace" };
    case "page":
    case "database":
    case "block":
      return { type: parent.type, id: parent.id };
    default:
      return undefined;
  }
}

function followsHere(
  dataset: Dataset | undefined,
  where: BindingRef,
): dataset is Dataset & { scope: NonNullable<Dataset["scope"]> } {
  return (
    dataset !== undefined &&
    dataset.tenantId === where.tenantId &&
    dataset.paused !== true &&
    follows(dataset.scope) &&
    dataset.scope.workspaceId === where.workspaceId
  );
}

/** From the parent index only: one GetItem per link of the chain. */
async function membership(
  parents: ParentIndex,
  where: BindingRef,
  dataset: Dataset & { scope: NonNullable<Dataset["scope"]> },
  candidate: Candidate,
): Promise<"in" | "out" | "unknown"> {
  const tree = new WorkspaceTree(candidate.link ? [candidate.link] : []);
  for (let step = 0; step < MAX_WALK; step += 1) {
    const verdict = tree.membership(dataset.scope, candidate.id, candidate.kind);
    if (verdict.verdict !== "unknown") return verdict.verdict;
    const link = (await parents.get(where, [verdict.missing.id])).get(verdict.missing.id);
    if (link === undefined) return "unknown";
    tree.set(link);
  }
  return "unknown";
}
