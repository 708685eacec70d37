/**
 * The seed task: has a Notion document changed since it was indexed? If so, claim it (new
 * generation, lease, status `parsing`) and hand the new generation to the index queue.
 *
 * Departure from the seed task (ADR 0001, docs/decisions/0001-old-content-stays.md), for issue 3's "the old content stays": older
 * generations' segments and vectors are not deleted here but by the index run, right after the new
 * generation is written (lib/indexing/index-document.ts). Search keeps answering from the old
 * content while the new one is built, and a run that fails leaves the old content in place.
 */

import { markBindingDisconnected, tokenRefusedMessage } from "../core/binding-connection.js";
import { datasetOf } from "../core/datasets.js";
import { type ErrorClass, errorClassOf } from "../core/error-class.js";
import { leaseIsLive, newLease } from "../core/lease.js";
import { assertMessageScope } from "../core/message-scope.js";
import type { UnitSyncMessage } from "../core/messages.js";
import { type Document, WORKING_STATUSES } from "../core/model.js";
import { type NotionAccessPorts, openNotionFor } from "../core/notion-access.js";
import type {
  Clock,
  Log,
  MessagePublisher,
  NotionObjectState,
  NotionSource,
  ParentIndex,
  VectorIndex,
} from "../core/ports.js";
import { removeDocument } from "../documents/remove.js";
import { contentHash } from "../indexing/content-hash.js";
import { scopeVerdict } from "../scopes/scope-check.js";
import {
  ConflictError,
  NotionAuthError,
  NotionNotFoundError,
  NotionTokenRefusedError,
  PermanentError,
} from "../shared/errors.js";
import { archiveClaimedDocument } from "./archive-document.js";
import { readInsideEditMinute } from "./edit-time.js";

export interface SyncPorts extends NotionAccessPorts {
  vectors: VectorIndex;
  /** Where objects sit in each workspace: a scope-registered document is checked against it. */
  parents: ParentIndex;
  indexQueue: MessagePublisher;
  clock: Clock;
  log: Log;
}

export interface SyncOptions {
  /** How long a claim holds the document before another run may take it over. */
  leaseSeconds: number;
}

export type SyncOutcome =
  | "missing" // no such document: acknowledged, never retried
  | "disabled"
  | "paused"
  | "busy" // another run holds the document
  | "unchanged"
  | "queued" // claimed (new generation, status parsing), index message published; old content stays until the index run replaces it
  | "archived" // gone from Notion: content removed
  | "left-scope" // registered by its dataset's scope, no longer in it: removed with its content
  | "error"; // status set to `error` with a reason the user can act on

export interface SyncResult {
  outcome: SyncOutcome;
  documentId: string;
  generation?: number;
  reason?: string;
  /** Set with outcome `error`: what kind of failure (for metrics and alarms). */
  errorClass?: ErrorClass;
  /** Set with outcome `error` when the document was in `error` already: not news for an alarm. */
  alreadyInError?: boolean;
  segmentsDeleted: number;
  vectorsDeleted: number;
}

export function validateSyncOptions(options: SyncOptions): SyncOptions {
  if (!Number.isFinite(options.leaseSeconds) || options.leaseSeconds <= 0) {
    throw new RangeError(`leaseSeconds must be a positive number, got ${options.leaseSeconds}`);
  }
  return options;
}

export async function syncDocument(
  ports: SyncPorts,
  message: UnitSyncMessage,
  options: SyncOptions,
): Promise<SyncResult> {
  const { documentId } = message;
  const result = (outcome: SyncOutcome, extra: Partial<SyncResult> = {}): SyncResult => ({
    outcome,
    documentId,
    segmentsDeleted: 0,
    vectorsDeleted: 0,
    ...extra,
  });

  const document = await ports.store.getDocument(documentId);
  if (!document) {
    ports.log.warn("document not found; message acknowledged", { ...message });
    return result("missing");
  }
  assertMessageScope(message, document);
  if (!document.enabled) return result("disabled");
  if (document.isPaused) return result("paused");
  const dataset = await datasetOf(ports.store, document);
  if (dataset.paused === true) return result("paused");
  const now = ports.clock.now();
  if (WORKING_STATUSES.includes(document.indexingStatus) && leaseIsLive(document.lease, now)) {
    return result("busy", { generation: document.generation });
  }

  let source: NotionSource;
  let state: NotionObjectState | undefined;
  try {
    source = await openNotionFor(ports, document);
    state = await source.getState(document.dataSourceInfo.pageId, document.dataSourceInfo.type);
  } catch (error) {
    if (error instanceof NotionTokenRefusedError) return disconnect(ports, document, now);
    if (error instanceof NotionAuthError) return markError(ports, document, error);
    if (!(error instanceof NotionNotFoundError)) throw error;
    if (document.registeredBy === "scope") {
      // Deleted or unshared: it left what the integration can see, so it leaves the scope too.
      await ports.parents.remove(bindingOf(document), [document.dataSourceInfo.pageId]);
      return leaveScope(ports, document, "the page was deleted or is no longer shared with the integration");
    }
    return archive(
      ports,
      document,
      options,
      "the page was deleted or is no longer shared with the integration",
    );
  }
  // First: a page its scope no longer holds leaves, whether it is in the trash or not.
  if (
    document.registeredBy === "scope" &&
    (await scopeVerdict(
      ports,
      source,
      bindingOf(document),
      dataset.scope,
      document.dataSourceInfo.pageId,
      state,
    )) === "out"
  ) {
    return leaveScope(ports, document, "the page is no longer in the dataset's scope");
  }
  if (state.inTrash || state.archived) {
    return archive(
      ports,
      document,
      options,
      `the page is ${state.inTrash ? "in trash" : "archived"} in Notion`,
    );
  }
  if (await isUpToDate(ports, source, document, state, message.recheck === true)) return result("unchanged");

  let claimed: Document;
  try {
    claimed = await ports.store.claimDocument({
      documentId,
      expectedGeneration: document.generation,
      lease: newLease(now, options.leaseSeconds),
      now: now.toISOString(),
      status: "parsing",
      title: state.title,
      type: state.type,
    });
  } catch (error) {
    if (error instanceof ConflictError) return result("busy", { generation: document.generation });
    throw error;
  }

  // If we die before this send, the lease runs out and the next sync claims again (rule 2).
  await ports.indexQueue.send({
    tenantId: claimed.tenantId,
    datasetId: claimed.datasetId,
    documentId,
    generation: claimed.generation,
  });
  ports.log.info("document changed; queued for indexing", {
    documentId,
    generation: claimed.generation,
    lastEditedTime: state.lastEditedTime,
  });
  return result("queued", { generation: claimed.generation });
}

/**
 * Up to date when the indexed content carries Notion's current last_edited_time and was read after
 * that minute ended. A read inside the minute, or a requested recheck, is decided by content hash
 * (rule 5): the same content changes nothing and creates no new generation.
 */
async function isUpToDate(
  ports: SyncPorts,
  source: NotionSource,
  document: Document,
  state: NotionObjectState,
  recheck: boolean,
): Promise<boolean> {
  const info = document.dataSourceInfo;
  if (document.indexingStatus !== "completed" || info.lastEditedTime !== state.lastEditedTime) return false;
  if (!recheck && !readInsideEditMinute(info.contentReadAt, state.lastEditedTime)) return true;

  const readAt = ports.clock.now().toISOString();
  const extracted = await source.extract(info.pageId, state.type);
  if (contentHash(extracted) !== info.contentHash) return false;
  try {
    await ports.store.updateDocument(document.documentId, document.generation, {
      dataSourceInfo: { ...info, contentReadAt: readAt },
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  return true;
}

async function archive(
  ports: SyncPorts,
  document: Document,
  options: SyncOptions,
  reason: string,
): Promise<SyncResult> {
  const base = { documentId: document.documentId, segmentsDeleted: 0, vectorsDeleted: 0 };
  if (document.archived) return { ...base, outcome: "archived", reason };
  const now = ports.clock.now();
  let claimed: Document;
  try {
    claimed = await ports.store.claimDocument({
      documentId: document.documentId,
      expectedGeneration: document.generation,
      lease: newLease(now, options.leaseSeconds),
      now: now.toISOString(),
      status: "archived",
    });
  } catch (error) {
    if (error instanceof ConflictError) return { ...base, outcome: "busy" };
    throw error;
  }
  const dataset = await datasetOf(ports.store, claimed);
  const removed = await archiveClaimedDocument(ports, claimed, dataset.vectorNamespace, reason);
  ports.log.info("document archived; its content was removed from the index", {
    documentId: document.documentId,
    reason,
    ...removed,
  });
  return { ...base, ...removed, outcome: "archived", generation: claimed.generation, reason };
}

/** A scope-registered document whose page left the scope: its content and the document go. */
async function leaveScope(ports: SyncPorts, document: Document, reason: string): Promise<SyncResult> {
  const base = { documentId: document.documentId, segmentsDeleted: 0, vectorsDeleted: 0 };
  try {
    const removed = await removeDocument(ports, document.documentId);
    ports.log.info("document left its dataset's scope; removed with its content", {
      documentId: document.documentId,
      datasetId: document.datasetId,
      reason,
      ...removed,
    });
    return { ...base, ...removed, outcome: "left-scope", reason };
  } catch (error) {
    // Claimed meanwhile by another run: the next sync of the document decides again.
    if (error instanceof PermanentError) return { ...base, outcome: "busy" };
    throw error;
  }
}

function bindingOf(document: Document) {
  return { tenantId: document.tenantId, workspaceId: document.dataSourceInfo.workspaceId };
}

/**
 * Notion refused the binding's token: the binding is marked disconnected (its later syncs fail fast,
 * lib/core/notion-access.ts) and the document shows "reconnect Notion". Nothing is deleted.
 */
async function disconnect(ports: SyncPorts, document: Document, openedAt: Date): Promise<SyncResult> {
  const binding = bindingOf(document);
  await markBindingDisconnected(ports, binding, ports.clock.now(), openedAt);
  return markError(ports, document, new NotionAuthError(tokenRefusedMessage(binding.workspaceId)));
}

/** Status `error` with the reason; nothing is deleted, so what was indexed stays searchable. */
async function markError(ports: SyncPorts, document: Document, error: Error): Promise<SyncResult> {
  const reason = error.message;
  try {
    await ports.store.updateDocument(
      document.documentId,
      document.generation,
      { indexingStatus: "error", error: reason, stoppedAt: ports.clock.now().toISOString() },
      { releaseLease: true },
    );
  } catch (failure) {
    if (!(failure instanceof ConflictError)) throw failure;
  }
  ports.log.warn("sync stopped", { documentId: document.documentId, reason });
  return {
    outcome: "error",
    documentId: document.documentId,
    reason,
    errorClass: errorClassOf(error),
    ...(document.indexingStatus === "error" ? { alreadyInError: true } : {}),
    segmentsDeleted: 0,
    vectorsDeleted: 0,
  };
}
