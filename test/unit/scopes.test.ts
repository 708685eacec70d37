/**
 * The pure rules of scopes: membership from parent links (rows, blocks, cycles, missing links),
 * descendants of moved pages, links from listed objects and Notion parents, scope settings, and
 * the progress bar's line.
 */
import { describe, expect, it } from "vitest";
import { notionParent } from "../../lib/adapters/notion/parent.js";
import { duration, formatBar } from "../../lib/cli/progress-bar.js";
import type { ParentLink } from "../../lib/core/ports.js";
import { linkOfListed } from "../../lib/scopes/listed-links.js";
import { describeScope, scopeFrom } from "../../lib/scopes/scope-settings.js";
import { WorkspaceTree } from "../../lib/scopes/workspace-tree.js";

const page = (id: string, parent?: string): ParentLink => ({
  id,
  kind: "page",
  parent: parent === undefined ? { type: "workspace" } : { type: "page", id: parent },
});
const subtree = (...roots: string[]) => ({ kind: "subtree" as const, roots });

describe("WorkspaceTree.membership", () => {
  const tree = new WorkspaceTree([
    page("root"),
    page("child", "root"),
    page("grandchild", "child"),
    { id: "toggle", kind: "block", parent: { type: "page", id: "root" } },
    { id: "in-toggle", kind: "page", parent: { type: "block", id: "toggle" } },
    { id: "db", kind: "database", parent: { type: "page", id: "child" } },
    { id: "row", kind: "row", parent: { type: "database", id: "db" } },
    { id: "under-row", kind: "page", parent: { type: "page", id: "row" } },
    page("elsewhere"),
    { id: "orphan", kind: "page", parent: { type: "page", id: "unknown-parent" } },
  ]);

  it("holds the roots and everything whose chain reaches one, through blocks and rows", () => {
    for (const id of ["root", "child", "grandchild", "in-toggle", "db", "under-row"]) {
      const kind = tree.get(id)?.kind ?? "page";
      expect(tree.membership(subtree("root"), id, kind)).toEqual({ verdict: "in" });
    }
  });

  it("never holds rows or blocks, whatever the scope", () => {
    expect(tree.membership(subtree("root"), "row", "row").verdict).toBe("out");
    expect(tree.membership({ kind: "workspace", roots: [] }, "row", "row").verdict).toBe("out");
    expect(tree.membership(subtree("root"), "toggle", "block").verdict).toBe("out");
  });

  it("is out when the chain reaches the top level without a root, and for the pages scope", () => {
    expect(tree.membership(subtree("root"), "elsewhere", "page").verdict).toBe("out");
    expect(tree.membership(subtree("child"), "root", "page").verdict).toBe("out");
    expect(tree.membership({ kind: "pages", roots: [] }, "root", "page").verdict).toBe("out");
    expect(tree.membership({ kind: "workspace", roots: [] }, "elsewhere", "page").verdict).toBe("in");
  });

  it("names the missing link when the chain breaks, and treats an invisible ancestor as out", () => {
    expect(tree.membership(subtree("root"), "orphan", "page")).toEqual({
      verdict: "unknown",
      missing: { id: "unknown-parent", kind: "page" },
    });
    const copy = new WorkspaceTree([page("orphan", "hidden")]);
    copy.markInvisible("hidden");
    expect(copy.membership(subtree("root"), "orphan", "page").verdict).toBe("out");
  });

  it("takes a cycle of parents as out instead of looping", () => {
    const cyclic = new WorkspaceTree([page("a", "b"), page("b", "a")]);
    expect(cyclic.membership(subtree("root"), "a", "page").verdict).toBe("out");
  });

  it("finds what moves with a moved page: everything below it, once", () => {
    expect([...tree.descendantsOf(["child"])].sort()).toEqual(["db", "grandchild", "row", "under-row"]);
    expect(tree.descendantsOf(["grandchild"]).size).toBe(0);
  });

  it("says whether a recorded link changed", () => {
    const copy = new WorkspaceTree([page("x", "root")]);
    expect(copy.set(page("x", "root"))).toBe(false);
    expect(copy.set(page("x", "child"))).toBe(true);
    expect(copy.set(page("y"))).toBe(true);
  });
});

describe("links from Notion", () => {
  it("maps Notion's parents, keeping a row's data source parent as its database", () => {
    expect(notionParent({ type: "workspace", workspace: true })).toEqual({ type: "workspace" });
    expect(notionParent({ type: "page_id", page_id: "p" })).toEqual({ type: "page", id: "p" });
    expect(notionParent({ type: "block_id", block_id: "b" })).toEqual({ type: "block", id: "b" });
    expect(notionParent({ type: "data_source_id", data_source_id: "ds", database_id: "db" })).toEqual({
      type: "database",
      id: "db",
    });
    expect(notionParent({ type: "teamspace_id", teamspace_id: "t" })).toBeUndefined();
    expect(notionParent(null)).toBeUndefined();
  });

  it("makes a row of a page under a database, and a database link of a data source", () => {
    expect(
      linkOfListed({ object: "page", id: "r", lastEditedTime: "t", parent: { type: "database", id: "db" } }),
    ).toEqual({ id: "r", kind: "row", parent: { type: "database", id: "db" } });
    expect(
      linkOfListed({
        object: "data_source",
        id: "ds",
        databaseId: "db",
        lastEditedTime: "t",
        parent: { type: "page", id: "p" },
      }),
    ).toEqual({ id: "db", kind: "database", parent: { type: "page", id: "p" } });
    expect(linkOfListed({ object: "page", id: "x", lastEditedTime: "t" })).toBeUndefined();
  });
});

describe("scope settings", () => {
  const now = new Date("2026-12-04T10:00:00Z");

  it("checks the kind, the roots and the maximum up front", () => {
    const base = { workspaceId: "ws", roots: [] as string[] };
    expect(() => scopeFrom({ ...base, kind: "everything" }, undefined, now)).toThrow(
      "--scope must be one of pages, subtree, workspace, got everything",
    );
    expect(() => scopeFrom({ ...base, kind: "subtree" }, undefined, now)).toThrow(
      "needs at least one --root",
    );
    expect(() => scopeFrom({ ...base, kind: "workspace", roots: ["r"] }, undefined, now)).toThrow(
      "--root is for --scope subtree only",
    );
    expect(() => scopeFrom({ ...base, kind: "workspace", maxDocuments: 0 }, undefined, now)).toThrow(
      "--max-documents must be a whole number from 1 to 1000000, got 0",
    );
  });

  it("defaults the maximum to 50,000, keeps a previous one, and owes a backfill unless pages", () => {
    const workspace = scopeFrom({ kind: "workspace", workspaceId: "ws", roots: [] }, undefined, now);
    expect(workspace).toMatchObject({ maxDocuments: 50_000, backfillPending: true });
    const subtree = scopeFrom(
      { kind: "subtree", workspaceId: "ws", roots: ["r", "r"] },
      { ...workspace, maxDocuments: 10 },
      now,
    );
    expect(subtree).toMatchObject({ roots: ["r"], maxDocuments: 10 });
    const pages = scopeFrom({ kind: "pages", workspaceId: "ws", roots: [] }, undefined, now);
    expect(pages.backfillPending).toBeUndefined();
    expect(describeScope(pages)).toBe("pages (the documents added one by one)");
    expect(describeScope(subtree)).toBe("subtree: everything under r (workspace ws), at most 10 documents");
  });
});

describe("progress bar", () => {
  it("draws the bar, the counts, the rate and an ETA", () => {
    expect(formatBar(0, 0, undefined, "documents")).toBe("[------------------------] 0/0 documents");
    expect(formatBar(50, 200, 5, "documents")).toBe(
      "[######------------------] 50/200 documents  5.0/s  ETA 30s",
    );
    expect(formatBar(200, 200, 5, "documents")).toBe("[########################] 200/200 documents  5.0/s");
  });

  it("writes durations a person reads", () => {
    expect(duration(59.4)).toBe("59s");
    expect(duration(90)).toBe("1m30s");
    expect(duration(2 * 3600 + 5 * 60)).toBe("2h05m");
  });
});
