/**
 * The docs stay true to the tree: every relative link resolves (anchors too), every page is reachable
 * from the README, every ADR is in the decisions index, every `npm run` names a script, the README
 * stays a front door, and nothing cites the design document the docs must stand without.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/function-defaults.js";
import { anchors, docPages, npmRunScripts, relativeLinks } from "../support/doc-links.js";

const pages = docPages(PROJECT_ROOT);
const links = pages.flatMap((page) => relativeLinks(PROJECT_ROOT, page));
const scripts = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).scripts as Record<
  string,
  string
>;

describe("the docs", () => {
  it("link only to files that exist, and to headings that exist", () => {
    const broken = links.filter((link) => !existsSync(path.join(PROJECT_ROOT, link.target)));
    expect(broken).toEqual([]);
    const badAnchors = links.filter(
      (link) =>
        link.anchor !== undefined &&
        link.target.endsWith(".md") &&
        !anchors(PROJECT_ROOT, link.target).has(link.anchor),
    );
    expect(badAnchors).toEqual([]);
  });

  it("are all reachable from the README", () => {
    const reached = new Set(["README.md"]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const link of links) {
        if (reached.has(link.from) && !reached.has(link.target)) {
          reached.add(link.target);
          grew = true;
        }
      }
    }
    expect(pages.filter((page) => !reached.has(page))).toEqual([]);
  });

  it("list every ADR in the decisions index", () => {
    const index = "docs/decisions/README.md";
    const listed = new Set(links.filter((link) => link.from === index).map((link) => link.target));
    const adrs = pages.filter((page) => /^docs\/decisions\/\d{4}-.+\.md$/.test(page));
    expect(adrs.length).toBeGreaterThan(0);
    expect(adrs.filter((adr) => !listed.has(adr))).toEqual([]);
  });

  it("mention only npm scripts that exist", () => {
    const missing = pages.flatMap((page) =>
      npmRunScripts(PROJECT_ROOT, page)
        .filter((name) => !(name in scripts))
        .map((name) => `${page}: npm run ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it("keep the README a front door (at most 16 KB)", () => {
    expect(statSync(path.join(PROJECT_ROOT, "README.md")).size).toBeLessThanOrEqual(16 * 1024);
  });

  it("stand without the design document: nothing in the repository cites it by section", () => {
    // git grep exits 1 when nothing matches.
    const grep = spawnSync("git", ["grep", "-n", "-e", "design \u00a7", "--", "."], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
    });
    expect(grep.status, grep.stderr).toBe(1);
    expect(grep.stdout).toBe("");
  });

  it("name only source files that exist", () => {
    // A path in backticks (`lib/core/ports.ts`) is how the docs point at code; a moved file must take its mentions along.
    const named = pages.flatMap((page) =>
      [
        ...readFileSync(path.join(PROJECT_ROOT, page), "utf8").matchAll(
          /`((?:lib|local|infra|test|bench|functions)\/[\w./-]+\.(?:ts|mts|mjs))`/g,
        ),
      ].map((match) => ({ page, file: match[1] as string })),
    );
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter(({ file }) => !existsSync(path.join(PROJECT_ROOT, file)))).toEqual([]);
  });
});
