/**
 * The sweep (scheduled resync). It costs in proportion to what changed, not to what is registered
 * (docs/sync-sweep-webhooks.md):
 * - A sweep of several bindings sends one sweep per binding, so each lists its own workspace on its
 *   own budget, and in parallel.
 * - A binding's workspace is listed through search, newest edits first, 100 objects a request. An
 *   incremental listing stops at the last sweep's watermark; a full listing reads everything and is
 *   the one that finds deletions: a document absent from a complete full listing is checked
 *   directly. Full listings run every sweep for workspaces up to `fullListingMaxObjects`, daily above.
 * - A listing that would outlive its invocation saves a checkpoint (cursor, documents seen) and sends
 *   itself on; the next invocation resumes it. Absence is decided only when the listing is whole
 *   and Notion did not cut it short (`request_status: incomplete`).
 * - Database documents are asked for rows edited since their content was read, one request each.
 * - Datasets that follow a scope (lib/scopes) are swept with their binding even before they hold a
 *   document: the listing keeps the parent index current, and registers what their scope holds.
 *
 * `mode: "reconcile"` (daily by default) checks every registered document directly instead,
 * spread out in time, and catches whatever the listing got wrong.
 */

import { markBindingDisconnected } from "../core/binding-connection.js";
import type { SweepMessage } from "../core/messages.js";
import { type DataSourceBinding, type Dataset, DEFAULT_TENANT, type Document } from "../core/model.js";
import { type NotionAccessPorts, openNotionForBinding } from "../core/notion-access.js";
import type {
  BindingRef,
  CheckpointStore,
  Clock,
  DocumentScope,
  Log,
  MessagePublisher,
  NotionSource,
  ParentIndex,
} from "../core/ports.js";
import {
  type FollowCounts,
  type FollowState,
  ListingFollower,
  newFollowState,
} from "../scopes/follow-listing.js";
import { follows } from "../scopes/scope-settings.js";
import {
  ConflictError,
  NotionAuthError,
  NotionNotFoundError,
  NotionTokenRefusedError,
} from "../shared/errors.js";
import { floorToMinute } from "./edit-time.js";
import { type CheckReason, pageCheckReason, rowsEditedSince } from "./plan-sweep.js";

export interface SweepPorts extends NotionAccessPorts {
  syncQueue: MessagePublisher;
  log: Log;
  clock: Clock;
  /** Where a listing that spans invocations keeps its place; without it, a listing never stops. */
  checkpoints?: CheckpointStore;
  /** Where objects sit in each workspace (what scopes are decided on). */
  parents: ParentIndex;
}

export interface SweepOptions {
  /** Unit syncs a reconcile releases per second (spread with SQS delays, at most 15 minutes). */
  reconcileChecksPerSecond: number;
  /** Workspaces up to this many objects are listed in full every sweep; larger ones daily. */
  fullListingMaxObjects?: number;
  fullListingEveryMs?: number;
  /** A listing stops this long before its invocation's deadline and goes on in the next. */
  stopBeforeDeadlineMs?: number;
}

/** The invocation a sweep runs in: how long it has left. */
export interface SweepInvocation {
  remainingMs(): number;
}

export interface SweepResult {
  mode: "listing" | "reconcile";
  /** `full` or `incremental` for one binding's listing; `fan-out` when it sent one sweep per binding. */
  listing?: "full" | "incremental" | "fan-out";
  documents: number;
  bindings: number;
  /** Objects the workspace listings returned. */
  listed: number;
  enqueued: number;
  /** The listing goes on in another invocation (`continued`), or was left to another sweep. */
  state?: "continued" | "busy" | "superseded";
  /** Notion cut the listing short: absence was not taken as deletion. */
  incomplete?: boolean;
  /** What the listing did for the datasets that follow a scope. */
  followed?: FollowCounts;
  reasons: Partial<Record<CheckReason | "reconcile" | "binding-unusable", number>>;
}

const MAX_SQS_DELAY_SECONDS = 900;
const DEFAULT_FULL_LISTING_MAX_OBJECTS = 5_000;
const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_STOP_BEFORE_DEADLINE_MS = 20_000;
/** Notion rounds edit times down to the minute and search lags edits: an incremental listing looks this far back. */
const WATERMARK_MARGIN_MS = 5 * 60 * 1000;
/** A listing not saved for this long is taken as dead: a new sweep starts over. */
const LISTING_STALE_MS = 15 * 60 * 1000;

/** Where one binding's listing stands: what a continuation reads back. */
interface ListingState {
  listing: "full" | "incremental";
  startedAt: string;
  /** Incremental: stop at objects edited before this. */
  since?: string;
  cursor?: string;
  /** Objects listed so far. */
  listed: number;
  incomplete: boolean;
  /** Full: documents seen in the listing so far. */
  seen: string[];
  /** Database documents' data sources seen in the listing. */
  dataSources: Record<string, string[]>;
  enqueued: number;
  reasons: SweepResult["reasons"];
  savedAt: string;
  /** Following datasets' part of the listing. */
  followed?: FollowState;
  /** The listing is whole; what is left is registering what followed scopes hold. */
  phase?: "following";
}

/** One binding's share of a sweep: its registered documents, and the datasets that follow a scope in it. */
interface BindingWork extends BindingRef {
  documents: Document[];
  followers: Dataset[];
}

export async function sweep(
  ports: SweepPorts,
  message: SweepMessage,
  options: SweepOptions,
  invocation?: SweepInvocation,
): Promise<SweepResult> {
  const mode = message.mode ?? "listing";
  const scope = sweepScope(message);
  const documents = (await ports.store.listDocuments(scope)).filter(
    (document) =>
      document.enabled &&
      !document.isPaused &&
      document.dataSourceType === "notion_import" &&
      (message.workspaceId === undefined || document.dataSourceInfo.workspaceId === message.workspaceId),
  );
  // A reconcile checks registered documents only; a listing also serves the datasets following scopes.
  const datasets = mode === "listing" ? await ports.store.listDatasets(scope.tenantId) : [];
  const followers = datasets.filter(
    (dataset) =>
      follows(dataset.scope) &&
      dataset.paused !== true &&
      (message.datasetId === undefined || dataset.datasetId === message.datasetId) &&
      (message.workspaceId === undefined || dataset.scope.workspaceId === message.workspaceId),
  );
  const groups = groupByBinding(documents, followers);
  const result: SweepResult = {
    mode,
    documents: documents.length,
    bindings: groups.length,
    listed: 0,
    enqueued: 0,
    reasons: {},
  };

  if (mode === "reconcile") {
    // Pages: last_edited_time read directly is authoritative. Databases: a removed row may not
    // move any timestamp, so their content is compared.
    for (const [index, document] of documents.entries()) {
      const delaySeconds = Math.min(
        MAX_SQS_DELAY_SECONDS,
        Math.floor(index / options.reconcileChecksPerSecond),
      );
      await enqueueCheck(ports, document, document.dataSourceInfo.type === "database", delaySeconds);
    }
    result.enqueued = documents.length;
    result.reasons.reconcile = documents.length;
    ports.log.info("sweep done", { ...message, ...result });
    return result;
  }

  if (groups.length > 1) {
    // One sweep per binding: each on its own Notion budget, each its own continuations.
    for (const group of groups) {
      await ports.syncQueue.send({
        type: "sweep",
        tenantId: group.tenantId,
        workspaceId: group.workspaceId,
        ...(message.datasetId === undefined ? {} : { datasetId: message.datasetId }),
      });
    }
    result.listing = "fan-out";
    ports.log.info("sweep sent one sweep per binding", { ...message, bindings: groups.length });
    return result;
  }
  const group = groups[0];
  if (group === undefined) return result;
  const startedAt = ports.clock.now();
  let outcome: Partial<SweepResult>;
  try {
    outcome = await sweepBinding(ports, message, options, group, invocation);
  } catch (error) {
    if (!(error instanceof NotionTokenRefusedError)) throw error;
    // Refused mid-listing: the binding is marked, as a sync or index run would; nothing is deleted.
    const { tenantId, workspaceId } = group;
    await markBindingDisconnected(ports, { tenantId, workspaceId }, ports.clock.now(), startedAt);
    outcome = await checkEachAsUnusable(ports, group.documents);
  }
  Object.assign(result, outcome);
  ports.log.info("sweep done", { ...message, ...result });
  return result;
}

/** Each unit sync records "reconnect Notion" on its document, without calling Notion. */
async function checkEachAsUnusable(ports: SweepPorts, documents: Document[]): Promise<Partial<SweepResult>> {
  const unusable = documents.filter((document) => document.indexingStatus !== "error");
  for (const document of unusable) await enqueueCheck(ports, document, false);
  return { enqueued: unusable.length, reasons: { "binding-unusable": unusable.length } };
}

/** One binding's listing, from its checkpoint when it is a continuation. */
async function sweepBinding(
  ports: SweepPorts,
  message: SweepMessage,
  options: SweepOptions,
  work: BindingWork,
  invocation: SweepInvocation | undefined,
): Promise<Partial<SweepResult>> {
  const { tenantId, workspaceId, documents } = work;
  const binding = await ports.store.getBinding(tenantId, workspaceId);
  let source: NotionSource;
  try {
    source = await openNotionForBinding(ports, { tenantId, workspaceId });
  } catch (error) {
    if (!(error instanceof NotionAuthError)) throw error;
    return checkEachAsUnusable(ports, documents);
  }

  const key = `sweep#${tenantId}#${workspaceId}${message.datasetId ? `#${message.datasetId}` : ""}`;
  const now = ports.clock.now();
  const stored = await ports.checkpoints?.load<ListingState>(key);
  let generation: number;
  let sequence: number;
  let state: ListingState;
  if (message.continuation !== undefined) {
    if (stored === undefined || stored.generation !== message.continuation) {
      return { state: "superseded", enqueued: 0, reasons: {} };
    }
    ({ generation, sequence } = stored);
    state = stored.data;
  } else {
    if (stored !== undefined && now.getTime() - Date.parse(stored.data.savedAt) < LISTING_STALE_MS) {
      // A listing of this binding is under way in another invocation: it finds what this one would.
      return { state: "busy", enqueued: 0, reasons: {} };
    }
    generation = Math.max(now.getTime(), (stored?.generation ?? 0) + 1);
    sequence = 0;
    // A scope set or widened is owed a full listing: an incremental one sees only recent edits.
    const owed = work.followers.some((dataset) => dataset.scope?.backfillPending === true);
    state = newListing(binding, options, now, owed);
  }
  state.followed ??= newFollowState();
  const follower =
    work.followers.length === 0
      ? undefined
      : await ListingFollower.start(ports, { tenantId, workspaceId }, work.followers, state.followed);

  const byPage = new Map<string, Document[]>();
  for (const document of documents) {
    const entries = byPage.get(document.dataSourceInfo.pageId) ?? [];
    entries.push(document);
    byPage.set(document.dataSourceInfo.pageId, entries);
  }
  const seen = new Set(state.seen);
  const stopBeforeMs = options.stopBeforeDeadlineMs ?? DEFAULT_STOP_BEFORE_DEADLINE_MS;
  const deadlineNear = () => (invocation?.remainingMs() ?? Number.POSITIVE_INFINITY) < stopBeforeMs;

  /** Saves where the sweep stands and sends it on to the next invocation. */
  const continueLater = async (what: string): Promise<Partial<SweepResult>> => {
    state.seen = [...seen];
    if (follower !== undefined) state.followed = follower.snapshot();
    state.savedAt = ports.clock.now().toISOString();
    sequence += 1;
    try {
      await ports.checkpoints?.save(key, { generation, sequence, data: state });
    } catch (error) {
      if (error instanceof ConflictError)
        return { state: "superseded", enqueued: state.enqueued, reasons: state.reasons };
      throw error;
    }
    await ports.syncQueue.send({
      ...message,
      type: "sweep",
      tenantId,
      workspaceId,
      continuation: generation,
    });
    ports.log.info(`invocation ending: ${what}`, {
      tenantId,
      workspaceId,
      listed: state.listed,
      save: sequence,
    });
    return summary(state, "continued");
  };

  // ---- listing, page by page (done already when a continuation resumes the following phase)
  let listingDone = state.phase === "following";
  // At least one page per invocation, however little time is left: every invocation moves on.
  let pagesThisInvocation = 0;
  while (!listingDone) {
    if (ports.checkpoints !== undefined && pagesThisInvocation > 0 && deadlineNear()) {
      return continueLater("the listing goes on in the next one");
    }
    const page = await source.listWorkspacePage(state.cursor);
    pagesThisInvocation += 1;
    state.incomplete ||= page.incomplete;
    // What an incremental listing reads stops at the watermark: the rest of the page is not its own.
    const cutoff =
      state.since === undefined
        ? -1
        : page.objects.findIndex((object) => object.lastEditedTime < (state.since as string));
    const objects = cutoff === -1 ? page.objects : page.objects.slice(0, cutoff);
    if (cutoff !== -1) listingDone = true;
    await follower?.recordPage(objects);
    for (const object of objects) {
      state.listed += 1;
      if (object.object === "page") {
        for (const document of byPage.get(object.id) ?? []) {
          seen.add(document.documentId);
          const reason = pageCheckReason(document, object.lastEditedTime);
          if (reason !== undefined && document.dataSourceInfo.type !== "database") {
            await enqueueCheck(ports, document, false);
            count(state, reason);
          }
        }
      } else if (object.databaseId !== undefined) {
        for (const document of byPage.get(object.databaseId) ?? []) {
          const firstSighting = !seen.has(document.documentId);
          seen.add(document.documentId);
          if (document.dataSourceInfo.type !== "database") {
            // Registered, never synced (its type is learnt by the first sync): check it, once.
            if (firstSighting) {
              await enqueueCheck(ports, document, false);
              count(state, "not-indexed");
            }
            continue;
          }
          const known = state.dataSources[document.documentId] ?? [];
          if (!known.includes(object.id)) state.dataSources[document.documentId] = [...known, object.id];
        }
      }
    }
    state.cursor = page.nextCursor;
    if (state.cursor === undefined) listingDone = true;
  }

  // ---- following scopes: register what they hold (idempotent, so a continuation simply goes on)
  state.phase = "following";
  const followed = await follower?.finish(
    source,
    { completeFull: state.listing === "full" && !state.incomplete },
    ports.checkpoints === undefined ? () => false : deadlineNear,
  );
  if (followed?.suspended) {
    return { ...(await continueLater("registering what the scopes hold goes on in the next one")), followed };
  }

  // Documents registered after the listing began (by the scopes above, or by hand meanwhile) are not
  // judged by it: their first sync is queued already.
  const judged = documents.filter((document) => document.createdAt < state.startedAt);

  // ---- database documents: rows edited since their content was read (one request each)
  for (const document of judged) {
    if (document.dataSourceInfo.type !== "database") continue;
    const listed = state.dataSources[document.documentId];
    const dataSourceIds =
      listed ?? (state.listing === "incremental" ? document.dataSourceInfo.dataSourceIds : undefined);
    if (dataSourceIds === undefined || dataSourceIds.length === 0) {
      // Not in a full listing: absent (below). Not in an incremental one, its data sources unknown:
      // left to the next full listing.
      continue;
    }
    if (await rowsMayHaveChanged(source, document, dataSourceIds)) {
      await enqueueCheck(ports, document, true);
      count(state, "rows-edited");
    }
  }

  // ---- absence: only a full listing that Notion did not cut short says what is gone
  if (state.listing === "full" && !state.incomplete) {
    for (const document of judged) {
      if (seen.has(document.documentId) || document.archived) continue;
      await enqueueCheck(ports, document, false);
      count(state, "absent");
    }
  }

  await recordListing(ports, binding, state, now);
  await ports.checkpoints?.delete(key);
  return { ...summary(state), ...(followed === undefined ? {} : { followed }) };
}

function newListing(
  binding: DataSourceBinding | undefined,
  options: SweepOptions,
  now: Date,
  fullOwed: boolean,
): ListingState {
  const info = binding?.sweep;
  const small =
    (info?.listedObjects ?? 0) <= (options.fullListingMaxObjects ?? DEFAULT_FULL_LISTING_MAX_OBJECTS);
  const lastFull = info?.lastFullListingAt === undefined ? 0 : Date.parse(info.lastFullListingAt);
  const full =
    fullOwed ||
    info?.listedObjects === undefined ||
    info.watermark === undefined ||
    small ||
    now.getTime() - lastFull >= (options.fullListingEveryMs ?? DAY_MS);
  return {
    listing: full ? "full" : "incremental",
    startedAt: now.toISOString(),
    ...(full ? {} : { since: info?.watermark }),
    listed: 0,
    incomplete: false,
    seen: [],
    dataSources: {},
    enqueued: 0,
    reasons: {},
    savedAt: now.toISOString(),
  };
}

/** What the next sweep of this binding needs: its watermark, and the workspace's size. */
async function recordListing(
  ports: SweepPorts,
  binding: DataSourceBinding | undefined,
  state: ListingState,
  now: Date,
): Promise<void> {
  if (binding === undefined) return;
  const startedAt = Date.parse(state.startedAt);
  const sweepInfo = {
    ...binding.sweep,
    watermark: floorToMinute(new Date(startedAt - WATERMARK_MARGIN_MS)).toISOString(),
    ...(state.listing === "full" && !state.incomplete
      ? { listedObjects: state.listed, lastFullListingAt: now.toISOString() }
      : {}),
  };
  const current = await ports.store.getBinding(binding.tenantId, binding.workspaceId);
  if (current === undefined) return;
  await ports.store.putBinding({ ...current, sweep: sweepInfo });
}

/** A row edited since the content was read, or a database not indexed yet, needs a check. */
async function rowsMayHaveChanged(
  source: NotionSource,
  document: Document,
  dataSourceIds: string[],
): Promise<boolean> {
  const since = rowsEditedSince(document);
  if (since === undefined || document.archived) return true;
  for (const dataSourceId of dataSourceIds) {
    try {
      if (await source.hasRowsEditedSince(dataSourceId, since)) return true;
    } catch (error) {
      if (error instanceof NotionNotFoundError) return true;
      throw error;
    }
  }
  return false;
}

async function enqueueCheck(
  ports: SweepPorts,
  document: Document,
  recheck: boolean,
  delaySeconds?: number,
): Promise<void> {
  const { tenantId, datasetId, documentId } = document;
  await ports.syncQueue.send(
    recheck ? { tenantId, datasetId, documentId, recheck: true } : { tenantId, datasetId, documentId },
    delaySeconds ? { delaySeconds } : undefined,
  );
}

function count(state: ListingState, reason: CheckReason): void {
  state.enqueued += 1;
  state.reasons[reason] = (state.reasons[reason] ?? 0) + 1;
}

function summary(state: ListingState, outcome?: "continued"): Partial<SweepResult> {
  return {
    listing: state.listing,
    listed: state.listed,
    enqueued: state.enqueued,
    reasons: state.reasons,
    ...(state.incomplete ? { incomplete: true } : {}),
    ...(outcome === undefined ? {} : { state: outcome }),
  };
}

function groupByBinding(documents: Document[], followers: Dataset[]): BindingWork[] {
  const groups = new Map<string, BindingWork>();
  const groupOf = (tenantId: string, workspaceId: string) => {
    const key = `${tenantId}\u0000${workspaceId}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { tenantId, workspaceId, documents: [], followers: [] };
      groups.set(key, group);
    }
    return group;
  };
  for (const document of documents) {
    groupOf(document.tenantId, document.dataSourceInfo.workspaceId).documents.push(document);
  }
  for (const dataset of followers) {
    if (dataset.scope !== undefined)
      groupOf(dataset.tenantId, dataset.scope.workspaceId).followers.push(dataset);
  }
  return [...groups.values()];
}

/** A sweep of one dataset names its tenant; one sent without (before version 2) meant the default. */
function sweepScope(message: SweepMessage): DocumentScope {
  if (message.datasetId !== undefined)
    return { tenantId: message.tenantId ?? DEFAULT_TENANT, datasetId: message.datasetId };
  return message.tenantId === undefined ? {} : { tenantId: message.tenantId };
}
