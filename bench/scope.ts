/**
 * Finding what a followed subtree holds: Notion requests, side by side with the alternatives, in one run.
 *
 *   npm run bench:scope              (2,000 pages under the root, 1,000 elsewhere)
 *   PAGES=10000 npm run bench:scope
 *
 * 1. Backfill: the workspace listing with the parent index (this project: search pages, plus one read
 *    per block a page sits in) against extracting every page below the root to find its children
 *    (what `add --recursive` did).
 * 2. Twenty pages created deep in the subtree, found by an incremental listing: placed from the parent
 *    index (this project) against walking each new page's ancestors through Notion (no index).
 *
 * Real Notion client, Notion stand-in (its request counts), real DynamoDB parent index on dynalite.
 * Time at Notion's average of 3 requests per second is derived from the counts.
 */
import { openNotionForBinding } from "../lib/core/notion-access.js";
import type { NotionSource } from "../lib/core/ports.js";
import { countScope } from "../lib/scopes/count-scope.js";
import { linkOfListed } from "../lib/scopes/listed-links.js";
import { WorkspaceTree } from "../lib/scopes/workspace-tree.js";
import { paragraph, toggle } from "../local/notion-blocks.js";
import { type Harness, startHarness, TENANT, WORKSPACE } from "../test/support/harness.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const PAGES = Number(process.env.PAGES ?? 2000);
const NEW_PAGES = 20;
const NOTION_REQUESTS_PER_SECOND = 3;

/** A tree under the root, five children a page, one page in ten inside a toggle of its parent. */
function buildWorkspace(h: Harness): { root: string; pages: string[] } {
  const blocks = (i: number) => [paragraph(`page ${i}`), toggle("More", [paragraph("folded")])];
  const root = h.workspace.addPage({ title: "Root", blocks: blocks(0) });
  const pages = [root];
  for (let i = 1; i < PAGES; i++) {
    const parent = pages[Math.floor((i - 1) / 5)] as string;
    const toggleId = i % 10 === 0 ? h.workspace.visiblePage(parent)?.blocks[1]?.id : undefined;
    pages.push(
      h.workspace.addPage({
        title: `Page ${i}`,
        blocks: blocks(i),
        ...(toggleId ? { parentBlockId: toggleId } : { parentPageId: parent }),
      }),
    );
  }
  for (let i = 0; i < PAGES / 2; i++) h.workspace.addPage({ title: `Elsewhere ${i}` });
  return { root, pages };
}

function requests(h: Harness): number {
  return Object.values(h.notion.requestCounts()).reduce((sum, count) => sum + count, 0);
}

/** What `add --recursive` did: extract each page below the root, breadth first, for its children. */
async function recursiveExtraction(source: NotionSource, root: string): Promise<number> {
  const found = new Set([root]);
  const pending = [root];
  for (let pageId = pending.shift(); pageId !== undefined; pageId = pending.shift()) {
    for (const child of (await source.extract(pageId, "page")).children) {
      if (found.has(child.id)) continue;
      found.add(child.id);
      if (child.type === "page") pending.push(child.id);
    }
  }
  return found.size;
}

/** Without an index: each new page's ancestors read from Notion, one request a link (cached per run). */
async function ancestryWalks(source: NotionSource, ids: string[], root: string): Promise<number> {
  const known = new WorkspaceTree();
  let inside = 0;
  for (const id of ids) {
    let membership = known.membership({ kind: "subtree", roots: [root] }, id, "page");
    while (membership.verdict === "unknown") {
      known.set(await source.getParentLink(membership.missing.id, membership.missing.kind));
      membership = known.membership({ kind: "subtree", roots: [root] }, id, "page");
    }
    if (membership.verdict === "in") inside += 1;
  }
  return inside;
}

function row(method: string, found: number, notionRequests: number, ms: number): string {
  const atRate = notionRequests / NOTION_REQUESTS_PER_SECOND;
  const time = atRate < 120 ? `${atRate.toFixed(1)} s` : `${(atRate / 60).toFixed(1)} min`;
  return `| ${method.padEnd(48)} | ${String(found).padStart(5)} | ${String(notionRequests).padStart(8)} | ${time.padStart(9)} | ${(ms / 1000).toFixed(1).padStart(6)} s |`;
}

async function main() {
  const h = await startHarness();
  try {
    const { root, pages } = buildWorkspace(h);
    const source = await openNotionForBinding(h.adapters, { tenantId: TENANT, workspaceId: WORKSPACE });
    const lines = [
      `| ${"method".padEnd(48)} | found | requests | at 3 req/s | run    |`,
      `| ${"-".repeat(48)} | ----: | -------: | ---------: | -----: |`,
    ];

    h.notion.resetCounts();
    let started = performance.now();
    const count = await countScope(
      h.adapters,
      source,
      { tenantId: TENANT, workspaceId: WORKSPACE },
      { kind: "subtree", roots: [root] },
      new Set(),
    );
    lines.push(
      row("backfill: listing + parent index (this)", count.inScope, requests(h), performance.now() - started),
    );

    h.notion.resetCounts();
    started = performance.now();
    const extracted = await recursiveExtraction(source, root);
    lines.push(
      row(
        "backfill: extract every page (add --recursive)",
        extracted,
        requests(h),
        performance.now() - started,
      ),
    );

    // The index as the backfill left it (the listing's links, and the blocks' read from Notion),
    // then twenty new pages deep in the subtree.
    const tree = new WorkspaceTree();
    for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = await source.listWorkspacePage(cursor);
      for (const object of page.objects) {
        const link = linkOfListed(object);
        if (link) tree.set(link);
      }
      cursor = page.nextCursor;
    }
    for (const id of pages) {
      let membership = tree.membership({ kind: "subtree", roots: [root] }, id, "page");
      while (membership.verdict === "unknown") {
        tree.set(await source.getParentLink(membership.missing.id, membership.missing.kind));
        membership = tree.membership({ kind: "subtree", roots: [root] }, id, "page");
      }
    }
    h.clock.advance(2 * 60_000); // Notion's times are minutes: the new pages are the newest listed
    const added = Array.from({ length: NEW_PAGES }, (_, i) =>
      h.workspace.addPage({ title: `New ${i}`, parentPageId: pages[pages.length - 1 - i * 7] as string }),
    );

    h.notion.resetCounts();
    started = performance.now();
    const newest = await source.listWorkspacePage(undefined);
    let placed = 0;
    for (const object of newest.objects) {
      const link = linkOfListed(object);
      if (link === undefined || !added.includes(link.id)) continue;
      tree.set(link);
      if (tree.membership({ kind: "subtree", roots: [root] }, link.id, link.kind).verdict === "in")
        placed += 1;
    }
    lines.push(
      row(
        `${NEW_PAGES} new pages: incremental + parent index (this)`,
        placed,
        requests(h),
        performance.now() - started,
      ),
    );

    h.notion.resetCounts();
    started = performance.now();
    await source.listWorkspacePage(undefined);
    const walked = await ancestryWalks(source, added, root);
    lines.push(
      row(
        `${NEW_PAGES} new pages: incremental + ancestry walks`,
        walked,
        requests(h),
        performance.now() - started,
      ),
    );

    console.log(`\nFinding a followed subtree of ${PAGES} pages (and ${PAGES / 2} elsewhere)\n`);
    for (const line of lines) console.log(line);
    console.log(
      "\nfound: pages and databases placed in the subtree. The recursive extraction also reads every block of every page.",
    );
  } finally {
    await h.close();
  }
}

await main();
