/**
 * Which registered documents a sweep must check, decided from one listing of the workspace
 * (Notion's search, newest edits first). Pure: no I/O, so every rule here is unit-tested.
 *
 * - A page whose listed last_edited_time differs from the indexed one changed: check it.
 * - A page read inside its edit's minute may have missed an edit (Notion rounds to the minute): check it.
 * - A page that is not indexed yet (or failed) is checked.
 * - A page absent from the listing is checked directly: search never lists trashed pages and can miss
 *   pages, so absence is how deletions, unsharing and misses are found. An archived document that is
 *   still absent is already settled and costs nothing.
 * - Database documents are decided by their data sources (rows); see `databaseChecks`.
 */
import type { Document } from "../model.js";
import type { ListedNotionObject } from "../ports.js";
import { floorToMinute, readInsideEditMinute } from "./edit-time.js";

export type CheckReason =
  | "edited"
  | "not-indexed"
  | "read-in-edit-minute"
  | "absent"
  | "restored"
  | "rows-edited";

export interface PlannedCheck {
  document: Document;
  reason: CheckReason;
  /** Compare content, not only last_edited_time (databases: a row edit may not move the database's time). */
  recheck: boolean;
}

export interface WorkspaceListing {
  /** Page id → last_edited_time. */
  pages: Map<string, string>;
  /** Data sources with the database they belong to. */
  dataSources: { id: string; databaseId: string; lastEditedTime: string }[];
}

export function buildListing(objects: Iterable<ListedNotionObject>): WorkspaceListing {
  const listing: WorkspaceListing = { pages: new Map(), dataSources: [] };
  for (const object of objects) {
    if (object.object === "page") listing.pages.set(object.id, object.lastEditedTime);
    else if (object.databaseId) {
      listing.dataSources.push({
        id: object.id,
        databaseId: object.databaseId,
        lastEditedTime: object.lastEditedTime,
      });
    }
  }
  return listing;
}

/** Decides the page documents; returns database documents separately for a row query each. */
export function planPageChecks(
  documents: Document[],
  listing: WorkspaceListing,
): { checks: PlannedCheck[]; databases: Document[] } {
  const checks: PlannedCheck[] = [];
  const databases: Document[] = [];
  for (const document of documents) {
    if (document.dataSourceInfo.type === "database") {
      databases.push(document);
      continue;
    }
    const listed = listing.pages.get(document.dataSourceInfo.pageId);
    const reason = pageCheckReason(document, listed);
    if (reason) checks.push({ document, reason, recheck: false });
  }
  return { checks, databases };
}

function pageCheckReason(document: Document, listedEditTime: string | undefined): CheckReason | undefined {
  if (listedEditTime === undefined) return document.archived ? undefined : "absent";
  if (document.archived) return "restored";
  if (document.indexingStatus !== "completed") return "not-indexed";
  const info = document.dataSourceInfo;
  if (info.lastEditedTime !== listedEditTime) return "edited";
  if (readInsideEditMinute(info.contentReadAt, listedEditTime)) return "read-in-edit-minute";
  return undefined;
}

/**
 * A database document's data sources from the listing, and the time from which a row edit means
 * the document changed: the minute its content was read in (a row edited in that minute may have
 * been missed by the read). Undefined `since`: not indexed yet, check it anyway.
 */
export function databaseRowQuery(
  document: Document,
  listing: WorkspaceListing,
): { dataSourceIds: string[]; since: string | undefined } {
  const dataSourceIds = listing.dataSources
    .filter((dataSource) => dataSource.databaseId === document.dataSourceInfo.pageId)
    .map((dataSource) => dataSource.id);
  const readAt = document.dataSourceInfo.contentReadAt;
  const since =
    document.indexingStatus === "completed" && readAt
      ? floorToMinute(new Date(readAt)).toISOString()
      : undefined;
  return { dataSourceIds, since };
}
