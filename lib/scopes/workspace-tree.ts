/**
 * The workspace as the parent index knows it, in memory: which object sits under which. It answers
 * "is this object in the dataset's scope?" without any request, and says which link is missing when
 * it cannot (then a caller may read that one link from Notion and ask again). Pure.
 */
import type { DatasetScope } from "../core/model.js";
import type { NotionObjectKind, ParentLink } from "../core/ports.js";

/** Deeper chains than this are taken as a cycle (Notion's own limit is far lower in practice). */
const MAX_DEPTH = 64;

/** The link a membership question is stuck on: read it from Notion to go on. */
export interface MissingLink {
  id: string;
  kind: "page" | "database" | "block";
}

export type Membership =
  | { verdict: "in" }
  | { verdict: "out" }
  | { verdict: "unknown"; missing: MissingLink };

export class WorkspaceTree {
  private readonly links = new Map<string, ParentLink>();
  private children: Map<string, string[]> | undefined;
  /** Objects Notion says the integration cannot see: nothing under them is reachable from a root. */
  private readonly invisible = new Set<string>();

  constructor(links: Iterable<ParentLink> = []) {
    for (const link of links) this.links.set(link.id, link);
  }

  get size(): number {
    return this.links.size;
  }

  get(id: string): ParentLink | undefined {
    return this.links.get(id);
  }

  ids(): IterableIterator<string> {
    return this.links.keys();
  }

  /** Records a link; true when it is new or its parent or kind changed. */
  set(link: ParentLink): boolean {
    const known = this.links.get(link.id);
    this.links.set(link.id, link);
    const changed = known === undefined || !sameLink(known, link);
    if (changed) this.children = undefined;
    return changed;
  }

  delete(id: string): void {
    if (this.links.delete(id)) this.children = undefined;
  }

  markInvisible(id: string): void {
    this.invisible.add(id);
  }

  /**
   * Whether the object belongs to the scope. Rows and blocks never do (a row's database is the
   * document); a `subtree` holds its roots and everything whose chain of parents reaches one.
   */
  membership(scope: Pick<DatasetScope, "kind" | "roots">, id: string, kind: NotionObjectKind): Membership {
    if (kind === "row" || kind === "block" || scope.kind === "pages") return { verdict: "out" };
    if (scope.kind === "workspace") return { verdict: "in" };
    const roots = new Set(scope.roots);
    let current = id;
    let currentKind: MissingLink["kind"] = kind;
    for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
      if (roots.has(current)) return { verdict: "in" };
      if (this.invisible.has(current)) return { verdict: "out" };
      const link = this.links.get(current);
      if (link === undefined) return { verdict: "unknown", missing: { id: current, kind: currentKind } };
      if (link.parent.type === "workspace") return { verdict: "out" };
      current = link.parent.id;
      currentKind = link.parent.type;
    }
    return { verdict: "out" };
  }

  /** Every object below these, at any depth (what moves with a moved page). */
  descendantsOf(ids: Iterable<string>): Set<string> {
    const children = this.childrenIndex();
    const found = new Set<string>();
    const pending = [...ids];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      for (const child of children.get(id) ?? []) {
        if (found.has(child)) continue;
        found.add(child);
        pending.push(child);
      }
    }
    return found;
  }

  private childrenIndex(): Map<string, string[]> {
    if (this.children !== undefined) return this.children;
    const children = new Map<string, string[]>();
    for (const link of this.links.values()) {
      if (link.parent.type === "workspace") continue;
      const siblings = children.get(link.parent.id) ?? [];
      siblings.push(link.id);
      children.set(link.parent.id, siblings);
    }
    this.children = children;
    return children;
  }
}

export function sameLink(a: ParentLink, b: ParentLink): boolean {
  return (
    a.kind === b.kind &&
    a.parent.type === b.parent.type &&
    (a.parent.type === "workspace" || a.parent.id === (b.parent as { id: string }).id)
  );
}
