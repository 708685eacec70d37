/**
 * What a sweep decides from one listed object, without I/O (every rule here is unit-tested):
 * - A page whose listed last_edited_time differs from the indexed one changed: check it.
 * - A page read inside its edit's minute may have missed an edit (Notion rounds to the minute): check it.
 * - A page that is not indexed yet (or failed) is checked.
 * - An archived page that is listed again was restored.
 * - A page absent from a complete full listing is checked directly (lib/sync/sweep.ts): search never
 *   lists trashed pages and can miss pages, so absence is how deletions, unsharing and misses are found.
 * - Database documents are decided by their data sources' rows, edited since their content was read.
 */
import type { Document } from "../core/model.js";
import { floorToMinute, readInsideEditMinute } from "./edit-time.js";

export type CheckReason =
  | "edited"
  | "not-indexed"
  | "read-in-edit-minute"
  | "absent"
  | "restored"
  | "rows-edited";

/** Why a listed page document needs a check, or undefined when it is up to date. */
export function pageCheckReason(document: Document, listedEditTime: string): CheckReason | undefined {
  if (document.archived) return "restored";
  if (document.indexingStatus !== "completed") return "not-indexed";
  const info = document.dataSourceInfo;
  if (info.lastEditedTime !== listedEditTime) return "edited";
  if (readInsideEditMinute(info.contentReadAt, listedEditTime)) return "read-in-edit-minute";
  return undefined;
}

/**
 * From when a row edit means a database document changed: the minute its content was read in (a row
 * edited in that minute may have been missed by the read). Undefined: not indexed yet, check it anyway.
 */
export function rowsEditedSince(document: Document): string | undefined {
  const readAt = document.dataSourceInfo.contentReadAt;
  return document.indexingStatus === "completed" && readAt
    ? floorToMinute(new Date(readAt)).toISOString()
    : undefined;
}
