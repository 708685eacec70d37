/**
 * `add --recursive`: the pages and databases below a page. Child pages can sit anywhere in a page's
 * block tree (in toggles, columns, synced blocks), so each page is extracted once and its children are
 * taken from there, breadth first. Databases are registered, not entered: their rows belong to them.
 */

import type { ChildObject, NotionSource } from "../core/ports.js";
import { PermanentError } from "../shared/errors.js";

export const MAX_SUBPAGES = 500;

export async function discoverSubpages(
  source: NotionSource,
  rootIds: string[],
  max: number = MAX_SUBPAGES,
): Promise<ChildObject[]> {
  const found: ChildObject[] = [];
  const seen = new Set(rootIds);
  const pending: string[] = [];
  for (const rootId of rootIds) {
    if ((await source.getState(rootId)).type === "page") pending.push(rootId);
  }
  for (let pageId = pending.shift(); pageId !== undefined; pageId = pending.shift()) {
    for (const child of (await source.extract(pageId, "page")).children) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      if (found.length >= max) {
        throw new PermanentError(
          `more than ${max} pages and databases below ${rootIds.join(", ")}: add them in parts`,
        );
      }
      found.push(child);
      if (child.type === "page") pending.push(child.id);
    }
  }
  return found;
}
