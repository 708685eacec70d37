/**
 * Which Notion objects an event may have changed, as ids to look up in the page index. Pure.
 * - `page.*`: the page itself; if its parent is a database (a row: parent type `database`, or any
 *   parent that carries a `database_id`), the database too, whose documents are
 *   re-checked by content (a row edit need not move the database's last_edited_time).
 * - `data_source.*`: the database the data source belongs to (`data.parent`, type `database`).
 * - `database.*` (older API versions still send them): the database itself.
 * Anything else (comments, file uploads, …) changes no indexed text.
 */
import type { NotionWebhookEvent } from "./events.js";

export interface EventTarget {
  pageId: string;
  /** Compare content, not only last_edited_time. */
  recheck: boolean;
}

export const PAGE_EVENTS = [
  "page.created",
  "page.content_updated",
  "page.properties_updated",
  "page.moved",
  "page.deleted",
  "page.undeleted",
  "page.locked",
  "page.unlocked",
] as const;

export function targetsOf(event: NotionWebhookEvent): EventTarget[] {
  const [family] = event.type.split(".");
  const parent = event.data?.parent;
  const parentDatabase = parent?.type === "database" ? parent.id : parent?.database_id;
  if (family === "page" && event.entity.type === "page") {
    const targets: EventTarget[] = [{ pageId: event.entity.id, recheck: false }];
    if (parentDatabase) targets.push({ pageId: parentDatabase, recheck: true });
    return targets;
  }
  if (family === "data_source") return parentDatabase ? [{ pageId: parentDatabase, recheck: true }] : [];
  if (family === "database" && event.entity.type === "database") {
    return [{ pageId: event.entity.id, recheck: true }];
  }
  return [];
}
