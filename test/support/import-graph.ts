/**
 * What a module loads, as esbuild resolves it: every project file reached from an entry, and the
 * npm packages those files import, with whether each edge is a static or a dynamic import.
 */
import path from "node:path";
import { build, type Metafile } from "esbuild";
import { PROJECT_ROOT } from "../../infra/function-defaults.js";

export interface ImportGraph {
  /** Project-relative file → its imports (project files and bare package names). */
  edges: Map<string, { target: string; dynamic: boolean }[]>;
}

/**
 * Resolves the entries and everything they import, leaving npm packages unresolved (as edges to
 * names). The entries are project-relative files.
 */
export async function importGraph(entries: string | string[]): Promise<ImportGraph> {
  const result = await build({
    entryPoints: (Array.isArray(entries) ? entries : [entries]).map((entry) =>
      path.join(PROJECT_ROOT, entry),
    ),
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    absWorkingDir: PROJECT_ROOT,
    tsconfig: path.join(PROJECT_ROOT, "tsconfig.json"),
    outdir: path.join(PROJECT_ROOT, "import-graph-out"),
    logLevel: "silent",
  });
  return { edges: edgesOf(result.metafile) };
}

function edgesOf(metafile: Metafile): ImportGraph["edges"] {
  const edges: ImportGraph["edges"] = new Map();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    edges.set(
      file,
      input.imports.map((edge) => ({
        target: edge.external ? packageName(edge.path) : edge.path,
        dynamic: edge.kind === "dynamic-import",
      })),
    );
  }
  return edges;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; `node:fs` stays. */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/** Every file and package reached from `from`, never entering a file `skip` accepts. */
export function reachable(graph: ImportGraph, from: string, skip: (file: string) => boolean = () => false) {
  const seen = new Set<string>([from]);
  const queue = [from];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const { target } of graph.edges.get(file) ?? []) {
      if (seen.has(target) || skip(target)) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return seen;
}
