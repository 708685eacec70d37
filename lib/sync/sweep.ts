/**
 * The sweep (scheduled resync). It costs in proportion to what changed, not to what is registered:
 * per Notion binding, one listing of the workspace through search (100 objects a request, newest
 * edits first) and one row query per database document; unit syncs are enqueued only for the
 * documents that the listing says may have changed (lib/sync/plan-sweep.ts).
 *
 * `mode: "reconcile"` (daily by default) checks every registered document directly instead,
 * spread out in time, and catches whatever the listing got wrong.
 */
import { NotionAuthError, NotionNotFoundError } from "../errors.js";
import type { SweepMessage } from "../messages.js";
import type { Document } from "../model.js";
import { type NotionAccessPorts, openNotionFor } from "../notion-access.js";
import type { Log, MessagePublisher, NotionSource } from "../ports.js";
import {
  buildListing,
  type CheckReason,
  databaseRowQuery,
  type PlannedCheck,
  planPageChecks,
} from "./plan-sweep.js";

export interface SweepPorts extends NotionAccessPorts {
  syncQueue: MessagePublisher;
  log: Log;
}

export interface SweepOptions {
  /** Unit syncs a reconcile releases per second (spread with SQS delays, at most 15 minutes). */
  reconcileChecksPerSecond: number;
}

export interface SweepResult {
  mode: "listing" | "reconcile";
  documents: number;
  bindings: number;
  /** Objects the workspace listings returned. */
  listed: number;
  enqueued: number;
  reasons: Partial<Record<CheckReason | "reconcile" | "binding-unusable", number>>;
}

const MAX_SQS_DELAY_SECONDS = 900;

export async function sweep(
  ports: SweepPorts,
  message: SweepMessage,
  options: SweepOptions,
): Promise<SweepResult> {
  const mode = message.mode ?? "listing";
  const documents = (
    await ports.store.listDocuments({ tenantId: message.tenantId, datasetId: message.datasetId })
  ).filter(
    (document) => document.enabled && !document.isPaused && document.dataSourceType === "notion_import",
  );
  const result: SweepResult = {
    mode,
    documents: documents.length,
    bindings: 0,
    listed: 0,
    enqueued: 0,
    reasons: {},
  };
  const checks: PlannedCheck[] = [];
  for (const group of groupByBinding(documents)) {
    result.bindings += 1;
    if (mode === "reconcile") {
      // Pages: last_edited_time read directly is authoritative. Databases: a removed row may not
      // move any timestamp, so their content is compared.
      for (const document of group) {
        const recheck = document.dataSourceInfo.type === "database";
        checks.push({ document, reason: "reconcile" as CheckReason, recheck });
      }
      continue;
    }
    checks.push(...(await planBinding(ports, group, result)));
  }

  for (const [index, check] of checks.entries()) {
    const { tenantId, datasetId, documentId } = check.document;
    const delaySeconds =
      mode === "reconcile"
        ? Math.min(MAX_SQS_DELAY_SECONDS, Math.floor(index / options.reconcileChecksPerSecond))
        : undefined;
    await ports.syncQueue.send(
      check.recheck
        ? { tenantId, datasetId, documentId, recheck: true }
        : { tenantId, datasetId, documentId },
      delaySeconds ? { delaySeconds } : undefined,
    );
    result.reasons[check.reason] = (result.reasons[check.reason] ?? 0) + 1;
  }
  result.enqueued = checks.length;
  ports.log.info("sweep done", { ...message, ...result });
  return result;
}

/** One binding's documents: list the workspace once, then decide. */
async function planBinding(
  ports: SweepPorts,
  documents: Document[],
  result: SweepResult,
): Promise<PlannedCheck[]> {
  let source: NotionSource;
  try {
    source = await openNotionFor(ports, documents[0] as Document);
  } catch (error) {
    if (!(error instanceof NotionAuthError)) throw error;
    // Each unit sync records "reconnect Notion" on its document, without calling Notion.
    return documents
      .filter((document) => document.indexingStatus !== "error")
      .map((document) => ({ document, reason: "binding-unusable" as CheckReason, recheck: false }));
  }
  const objects = [];
  for await (const object of source.listWorkspace()) objects.push(object);
  result.listed += objects.length;
  const listing = buildListing(objects);

  const { checks, databases } = planPageChecks(documents, listing);
  for (const document of databases) {
    if (await databaseMayHaveChanged(source, document, listing)) {
      checks.push({ document, reason: "rows-edited", recheck: true });
    }
  }
  return checks;
}

/** A row edited since the content was read, or a database the listing does not show, needs a check. */
async function databaseMayHaveChanged(
  source: NotionSource,
  document: Document,
  listing: ReturnType<typeof buildListing>,
): Promise<boolean> {
  const { dataSourceIds, since } = databaseRowQuery(document, listing);
  if (dataSourceIds.length === 0) return !document.archived;
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

function groupByBinding(documents: Document[]): Document[][] {
  const groups = new Map<string, Document[]>();
  for (const document of documents) {
    const key = `${document.tenantId}\u0000${document.dataSourceInfo.workspaceId}`;
    const group = groups.get(key) ?? [];
    group.push(document);
    groups.set(key, group);
  }
  return [...groups.values()];
}
