/**
 * What a scope holds, counted before anything is registered (`dataset set --scope`, with or without
 * `--dry-run`): the whole workspace is listed once on the binding's rate budget, and each page and
 * database is placed with the listing's parents, the parent index's known links, and Notion reads
 * for the few links neither knows (pages inside blocks). Writes nothing.
 */
import type { DatasetScope } from "../core/model.js";
import type { BindingRef, NotionSource, ParentIndex } from "../core/ports.js";
import { NotionNotFoundError } from "../shared/errors.js";
import { linkOfListed } from "./listed-links.js";
import { WorkspaceTree } from "./workspace-tree.js";

export interface ScopeCount {
  /** Objects the listing returned (pages, rows, databases). */
  listed: number;
  /** Pages and databases the scope holds. */
  inScope: number;
  /** Of those, already documents of the dataset. */
  registered: number;
  /** What registering the scope would add. */
  toAdd: number;
  /** Objects whose place could not be decided within the reads allowed. */
  unresolved: number;
  /** Notion cut the listing short: the counts are a lower bound. */
  incomplete: boolean;
}

const MAX_LINK_READS = 500;

export async function countScope(
  ports: { parents: ParentIndex },
  source: NotionSource,
  binding: BindingRef,
  scope: Pick<DatasetScope, "kind" | "roots">,
  registeredPageIds: ReadonlySet<string>,
  onProgress: (listed: number) => void = () => {},
): Promise<ScopeCount> {
  const tree = new WorkspaceTree(await ports.parents.loadAll(binding));
  const listed = new Set<string>();
  let incomplete = false;
  let cursor: string | undefined;
  let objects = 0;
  do {
    const page = await source.listWorkspacePage(cursor);
    incomplete ||= page.incomplete;
    for (const object of page.objects) {
      objects += 1;
      const link = linkOfListed(object);
      if (link === undefined) continue;
      tree.set(link);
      listed.add(link.id);
    }
    onProgress(objects);
    cursor = page.nextCursor;
  } while (cursor !== undefined);

  const count: ScopeCount = {
    listed: objects,
    inScope: 0,
    registered: 0,
    toAdd: 0,
    unresolved: 0,
    incomplete,
  };
  let reads = MAX_LINK_READS;
  for (const id of listed) {
    const link = tree.get(id);
    if (link === undefined) continue;
    let membership = tree.membership(scope, id, link.kind);
    while (membership.verdict === "unknown" && reads > 0) {
      reads -= 1;
      try {
        tree.set(await source.getParentLink(membership.missing.id, membership.missing.kind));
      } catch (error) {
        if (!(error instanceof NotionNotFoundError)) throw error;
        tree.markInvisible(membership.missing.id);
      }
      membership = tree.membership(scope, id, link.kind);
    }
    if (membership.verdict === "unknown") count.unresolved += 1;
    if (membership.verdict !== "in") continue;
    count.inScope += 1;
    if (registeredPageIds.has(id)) count.registered += 1;
    else count.toAdd += 1;
  }
  return count;
}
