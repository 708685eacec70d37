/**
 * The project's Markdown as a graph: pages, the relative links between them, their headings' anchors
 * (GitHub's slugs), and the `npm run` commands they mention. Links inside code are not links.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface DocLink {
  from: string;
  target: string;
  anchor: string | undefined;
}

/** README.md and every Markdown file under docs/, project-relative. */
export function docPages(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(path.join(dir, entry.name))
        : entry.name.endsWith(".md")
          ? [path.join(dir, entry.name)]
          : [],
    );
  return ["README.md", ...walk("docs")];
}

/** The page's text without fenced code blocks or inline code. */
export function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

export function relativeLinks(root: string, page: string): DocLink[] {
  const text = prose(readFileSync(path.join(root, page), "utf8"));
  const links: DocLink[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const href = match[1] ?? "";
    if (/^[a-z]+:/i.test(href)) continue;
    const [file = "", anchor] = href.split("#");
    const target = file === "" ? page : path.normalize(path.join(path.dirname(page), file));
    links.push({ from: page, target, anchor });
  }
  return links;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function anchors(root: string, page: string): Set<string> {
  const text = readFileSync(path.join(root, page), "utf8").replace(/^```[\s\S]*?^```/gm, "");
  const slugs = new Set<string>();
  for (const match of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = (match[1] ?? "")
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    slugs.add(slug);
  }
  return slugs;
}

/** Every `npm run <script>` a page mentions, code included (that is where commands are). */
export function npmRunScripts(root: string, page: string): string[] {
  const text = readFileSync(path.join(root, page), "utf8");
  return [...text.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((match) => match[1] ?? "");
}
