/**
 * Notion's `parent` objects in our shape (lib/core/ports.ts NotionParent). API 2025-09-03 gives a
 * row `{type: "data_source_id", data_source_id, database_id}`: it is kept as its database, since
 * rows belong to their database's document. Unknown shapes answer undefined (left to a later read).
 */
import type { NotionObjectKind, NotionParent } from "../../core/ports.js";

export function notionParent(raw: unknown): NotionParent | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const parent = raw as Record<string, unknown>;
  const id = (field: string) => (typeof parent[field] === "string" ? (parent[field] as string) : undefined);
  switch (parent.type) {
    case "workspace":
      return { type: "workspace" };
    case "page_id":
      return withId("page", id("page_id"));
    case "block_id":
      return withId("block", id("block_id"));
    case "database_id":
      return withId("database", id("database_id"));
    case "data_source_id":
      return withId("database", id("database_id"));
    default:
      return undefined;
  }
}

/** A page under a database is a row. */
export function pageKind(parent: NotionParent | undefined): NotionObjectKind {
  return parent?.type === "database" ? "row" : "page";
}

function withId(type: "page" | "database" | "block", id: string | undefined): NotionParent | undefined {
  return id === undefined ? undefined : { type, id };
}
