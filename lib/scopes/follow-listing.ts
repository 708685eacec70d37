/**
 * What a sweep's workspace listing does for the datasets that follow a scope (docs/scopes.md):
 * - every listed page and database has its parent recorded in the parent index, written only when
 *   new or moved;
 * - when the listing is whole, each following dataset registers and queues the objects of its scope
 *   it does not hold yet (up to its maximum), and queues a check of each of its scope-registered
 *   documents that the index now places outside the scope (the sync removes it);
 * - a complete full listing also forgets the links of objects it did not see (deleted, unshared).
 *
 * Candidates are the listed objects and everything below an object whose parent changed: a page
 * moved into a subtree brings its descendants, which are not edited and so not listed incrementally.
 */

import type { Dataset, Document } from "../core/model.js";
import type {
  BindingRef,
  Clock,
  DocumentStore,
  ListedNotionObject,
  Log,
  MessagePublisher,
  NotionObjectKind,
  NotionSource,
  ParentIndex,
} from "../core/ports.js";
import { newDocument } from "../documents/register.js";
import { NotionNotFoundError } from "../shared/errors.js";
import { type DocumentRoom, documentQuotaMessage, documentRoom } from "../tenants/quotas.js";
import { linkOfListed } from "./listed-links.js";
import { type Membership, WorkspaceTree } from "./workspace-tree.js";

export interface FollowPorts {
  store: DocumentStore;
  parents: ParentIndex;
  syncQueue: MessagePublisher;
  clock: Clock;
  log: Log;
}

/** What a listing keeps for following across invocations (inside its checkpoint). */
export interface FollowState {
  /** Objects (pages, rows, databases) listed so far. */
  listed: string[];
  /** Objects whose parent is new or changed in this listing. */
  moved: string[];
}

export interface FollowCounts {
  /** Objects registered as documents of a following dataset. */
  registered: number;
  /** Scope-registered documents queued for a check because they now sit outside their scope. */
  leaving: number;
  /** Objects whose place could not be decided (their chain of parents is not known yet). */
  unresolved: number;
  /** Links forgotten: objects a complete full listing did not see. */
  forgotten: number;
  /** Parent links written. */
  linksWritten: number;
  /** Objects in scope not registered because their tenant is at its documents quota. */
  overQuota?: number;
  /** The invocation ran out of time: the rest is registered by the next one (from its checkpoint). */
  suspended?: boolean;
}

/** Registrations and checks an invocation makes before it may stop for its deadline: each moves on. */
const MIN_WORK_PER_INVOCATION = 25;
/** Notion reads a sweep may spend completing chains the index does not know (blocks, unlisted pages). */
const MAX_LINK_READS_PER_SWEEP = 200;

export function newFollowState(): FollowState {
  return { listed: [], moved: [] };
}

export class ListingFollower {
  private readonly listed: Set<string>;
  private readonly moved: Set<string>;
  linksWritten = 0;
  /** Registrations and checks sent in this invocation. */
  private work = 0;
  /** The tenant's room under its documents quota, once counted (all followers share one binding's tenant). */
  private tenantRoom: DocumentRoom | undefined;
  private stopNow: () => boolean = () => false;

  private constructor(
    private readonly ports: FollowPorts,
    private readonly binding: BindingRef,
    readonly followers: Dataset[],
    private readonly tree: WorkspaceTree,
    private readonly state: FollowState,
  ) {
    this.listed = new Set(state.listed);
    this.moved = new Set(state.moved);
  }

  /** Loads the binding's parent index (once per invocation). */
  static async start(
    ports: FollowPorts,
    binding: BindingRef,
    followers: Dataset[],
    state: FollowState,
  ): Promise<ListingFollower> {
    const tree = new WorkspaceTree(await ports.parents.loadAll(binding));
    return new ListingFollower(ports, binding, followers, tree, state);
  }

  /** Records one page of the listing: its links, where new or changed. */
  async recordPage(objects: ListedNotionObject[]): Promise<void> {
    const changed = [];
    for (const object of objects) {
      const link = linkOfListed(object);
      if (link === undefined) continue;
      this.listed.add(link.id);
      if (this.tree.set(link)) {
        changed.push(link);
        this.moved.add(link.id);
      }
    }
    if (changed.length > 0) await this.ports.parents.put(this.binding, changed);
    this.linksWritten += changed.length;
  }

  /** The state to save in the listing's checkpoint. */
  snapshot(): FollowState {
    this.state.listed = [...this.listed];
    this.state.moved = [...this.moved];
    return this.state;
  }

  /**
   * After the whole listing: forget what a complete full listing did not see, then register what each
   * following dataset's scope holds and queue checks of what left it.
   */
  async finish(
    source: NotionSource,
    listing: { completeFull: boolean },
    deadlineNear: () => boolean = () => false,
  ): Promise<FollowCounts> {
    this.stopNow = () => this.work >= MIN_WORK_PER_INVOCATION && deadlineNear();
    const counts: FollowCounts = {
      registered: 0,
      leaving: 0,
      unresolved: 0,
      forgotten: 0,
      linksWritten: this.linksWritten,
    };
    if (listing.completeFull) {
      const gone = [...this.tree.ids()].filter((id) => !this.listed.has(id));
      for (const id of gone) this.tree.delete(id);
      if (gone.length > 0) await this.ports.parents.remove(this.binding, gone);
      counts.forgotten = gone.length;
    }
    const candidates = new Set([...this.listed, ...this.tree.descendantsOf(this.moved)]);
    const reads = { left: MAX_LINK_READS_PER_SWEEP };
    for (const dataset of this.followers) {
      await this.followDataset(source, dataset, candidates, listing, reads, counts);
      if (counts.suspended) break;
    }
    return counts;
  }

  private async followDataset(
    source: NotionSource,
    dataset: Dataset,
    candidates: Set<string>,
    listing: { completeFull: boolean },
    reads: { left: number },
    counts: FollowCounts,
  ): Promise<void> {
    const scope = dataset.scope;
    if (scope === undefined) return;
    const { tenantId, datasetId } = dataset;
    const documents = await this.ports.store.listDocuments({ tenantId, datasetId });
    const byPage = new Map<string, Document>();
    for (const document of documents) byPage.set(document.dataSourceInfo.pageId, document);

    const wanted: string[] = [];
    let unresolved = 0;
    for (const id of candidates) {
      const link = this.tree.get(id);
      if (link === undefined) continue;
      const membership = await this.decide(source, scope, id, link.kind, reads);
      const registered = byPage.get(id);
      if (membership.verdict === "unknown") {
        unresolved += 1;
      } else if (membership.verdict === "in" && registered === undefined) {
        wanted.push(id);
      } else if (
        membership.verdict === "out" &&
        registered?.registeredBy === "scope" &&
        !registered.archived
      ) {
        if (this.stopNow()) {
          counts.suspended = true;
          return;
        }
        this.work += 1;
        // The sync decides again with Notion's own answer, and removes it (lib/scopes/scope-check.ts).
        await this.ports.syncQueue.send({ tenantId, datasetId, documentId: registered.documentId });
        counts.leaving += 1;
      }
    }
    counts.unresolved += unresolved;

    const datasetRoom = Math.max(0, scope.maxDocuments - documents.length);
    // The tenant's documents quota (lib/tenants/quotas.ts) may leave less room than the dataset's.
    // Counted once per invocation, then kept up to date here: the datasets followed after this one
    // see what it registered even before the index they are counted on does.
    if (wanted.length > 0) this.tenantRoom ??= await documentRoom(this.ports.store, tenantId);
    const tenant = wanted.length > 0 ? this.tenantRoom : undefined;
    const byTenant = tenant !== undefined && tenant.room < datasetRoom;
    const room = byTenant ? tenant.room : datasetRoom;
    const now = this.ports.clock.now();
    const admitted = wanted.slice(0, room);
    for (const pageId of admitted) {
      if (this.stopNow()) {
        // What is registered stays; the next invocation finds the rest still unregistered.
        counts.suspended = true;
        return;
      }
      this.work += 1;
      const document = newDocument(
        { tenantId, datasetId, workspaceId: scope.workspaceId, registeredBy: "scope" },
        pageId,
        now,
      );
      const { created } = await this.ports.store.createDocument(document);
      if (!created) continue;
      if (this.tenantRoom !== undefined) {
        this.tenantRoom.room -= 1;
        if (this.tenantRoom.holding !== undefined) this.tenantRoom.holding += 1;
      }
      await this.ports.syncQueue.send({ tenantId, datasetId, documentId: document.documentId });
      counts.registered += 1;
    }
    const holding = documents.length + admitted.length;
    const overLimit =
      wanted.length > room
        ? {
            wanted: documents.length + wanted.length,
            at: now.toISOString(),
            by: byTenant ? ("tenant-quota" as const) : ("dataset" as const),
          }
        : undefined;
    if (overLimit !== undefined && byTenant && tenant !== undefined) {
      counts.overQuota = (counts.overQuota ?? 0) + wanted.length - admitted.length;
      this.ports.log.warn(
        `dataset ${datasetId}: ${wanted.length - admitted.length} documents of its scope were not registered: ${documentQuotaMessage(tenantId, tenant, wanted.length)}`,
        { tenantId, datasetId, quota: tenant.quota, wanted: overLimit.wanted },
      );
    } else if (overLimit !== undefined) {
      this.ports.log.warn(
        `dataset ${datasetId}: its scope holds ${overLimit.wanted} documents, more than its maximum of ${scope.maxDocuments}; ${wanted.length - admitted.length} were not registered (raise it with \`dataset set ${datasetId} --max-documents N\`, or narrow the scope)`,
        { tenantId, datasetId, maxDocuments: scope.maxDocuments, wanted: overLimit.wanted },
      );
    }
    await this.saveFollowing(dataset, {
      documents: holding,
      overLimit,
      backfillDone: listing.completeFull && unresolved === 0,
    });
  }

  /** The object's membership, completing its chain from Notion while the sweep's reads last. */
  private async decide(
    source: NotionSource,
    scope: NonNullable<Dataset["scope"]>,
    id: string,
    kind: NotionObjectKind,
    reads: { left: number },
  ): Promise<Membership> {
    for (;;) {
      const membership = this.tree.membership(scope, id, kind);
      if (membership.verdict !== "unknown" || reads.left <= 0) return membership;
      reads.left -= 1;
      try {
        const link = await source.getParentLink(membership.missing.id, membership.missing.kind);
        this.tree.set(link);
        await this.ports.parents.put(this.binding, [link]);
        this.linksWritten += 1;
      } catch (error) {
        if (!(error instanceof NotionNotFoundError)) throw error;
        this.tree.markInvisible(membership.missing.id);
      }
    }
  }

  /** Records the dataset's count and limit, on the dataset as it is now (a `dataset set` may have run). */
  private async saveFollowing(
    dataset: Dataset,
    outcome: {
      documents: number;
      overLimit: { wanted: number; at: string } | undefined;
      backfillDone: boolean;
    },
  ): Promise<void> {
    const current = await this.ports.store.getDataset(dataset.tenantId, dataset.datasetId);
    if (current?.scope === undefined || current.scope.setAt !== dataset.scope?.setAt) return;
    const { overLimit: _previous, backfillPending, ...scope } = current.scope;
    await this.ports.store.saveDataset({
      ...current,
      scope: {
        ...scope,
        documents: outcome.documents,
        ...(outcome.overLimit === undefined ? {} : { overLimit: outcome.overLimit }),
        ...(backfillPending && !outcome.backfillDone ? { backfillPending } : {}),
      },
    });
  }
}
