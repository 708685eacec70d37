/**
 * What a workspace listing says about where objects sit: a page's link (a row when its parent is a
 * database), and a data source's database's link. Pure.
 */
import type { ListedNotionObject, ParentLink } from "../core/ports.js";

export function linkOfListed(object: ListedNotionObject): ParentLink | undefined {
  if (object.parent === undefined) return undefined;
  if (object.object === "page") {
    return { id: object.id, kind: object.parent.type === "database" ? "row" : "page", parent: object.parent };
  }
  return object.databaseId === undefined
    ? undefined
    : { id: object.databaseId, kind: "database", parent: object.parent };
}
