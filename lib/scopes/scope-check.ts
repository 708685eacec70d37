/**
 * The sync's word on a document its dataset's scope registered: does its page still belong to the
 * scope? Decided from Notion's own answer for the page (its parent, just read) and the parent index
 * for the ancestors, completed from Notion where the index does not know a link. The sync removes
 * a document that is out (lib/sync/sync-document.ts): nothing outside a scope stays indexed.
 */
import type { DatasetScope } from "../core/model.js";
import type { BindingRef, NotionObjectState, NotionSource, ParentIndex, ParentLink } from "../core/ports.js";
import { NotionNotFoundError } from "../shared/errors.js";
import { follows } from "./scope-settings.js";
import { sameLink, WorkspaceTree } from "./workspace-tree.js";

/** Links one check may read: more than any real chain of pages. */
const MAX_LINK_READS = 64;

export async function scopeVerdict(
  ports: { parents: ParentIndex },
  source: NotionSource,
  binding: BindingRef,
  scope: DatasetScope | undefined,
  pageId: string,
  state: NotionObjectState,
): Promise<"in" | "out"> {
  if (!follows(scope)) return "out";
  // Notion always sends a parent; without one there is nothing to decide on, and nothing is removed.
  if (state.parent === undefined) return "in";
  const own: ParentLink = {
    id: pageId,
    kind: state.type === "database" ? "database" : state.parent.type === "database" ? "row" : "page",
    parent: state.parent,
  };
  const recorded = (await ports.parents.get(binding, [pageId])).get(pageId);
  if (recorded === undefined || !sameLink(recorded, own)) await ports.parents.put(binding, [own]);

  const tree = new WorkspaceTree([own]);
  for (let reads = 0; reads < MAX_LINK_READS; reads += 1) {
    const membership = tree.membership(scope, pageId, own.kind);
    if (membership.verdict !== "unknown") return membership.verdict;
    const { id, kind } = membership.missing;
    const indexed = (await ports.parents.get(binding, [id])).get(id);
    if (indexed !== undefined) {
      tree.set(indexed);
      continue;
    }
    try {
      const link = await source.getParentLink(id, kind);
      tree.set(link);
      await ports.parents.put(binding, [link]);
    } catch (error) {
      if (!(error instanceof NotionNotFoundError)) throw error;
      tree.markInvisible(id);
    }
  }
  return "out";
}
