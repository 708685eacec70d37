/**
 * The walls between the product and its dev tooling, checked rather than hoped for:
 * - a function bundle (what `cdk deploy` uploads) holds no stand-in, test or benchmark code and no
 *   devDependency;
 * - the CLI loads no stand-in (local/) and no devDependency for any command but `dev`, so it
 *   works after `npm install --omit=dev` against a deployed stack.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { esbuildOptionsFor } from "../../infra/esbuild-options.js";
import { PROJECT_ROOT } from "../../infra/function-defaults.js";
import { importGraph, reachable } from "../support/import-graph.js";

const packageJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};
const DEV_DEPENDENCIES = Object.keys(packageJson.devDependencies);
const DEV_ONLY_FILE = /^(local\/|test\/|bench\/|scripts\/)/;
const FUNCTIONS = [
  "functions/sync/handler.ts",
  "functions/index/handler.ts",
  "functions/webhook/handler.ts",
  "functions/query/handler.ts",
  "functions/oauth/handler.ts",
];

/** `…/node_modules/<pkg>/…` (the innermost, for nested installs) → `<pkg>`. */
function packageOfInput(file: string): string | undefined {
  const at = file.lastIndexOf("node_modules/");
  if (at === -1) return undefined;
  const parts = file.slice(at + "node_modules/".length).split("/");
  return parts[0]?.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

describe("function bundles", () => {
  it.each(FUNCTIONS)(
    "%s holds no stand-in, test or bench code and no devDependency",
    async (entry) => {
      const options = esbuildOptionsFor(entry, path.join(PROJECT_ROOT, "walls-out"));
      const result = await build({ ...options, write: false, metafile: true, sourcemap: false });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs).toContain(entry);
      expect(inputs.filter((file) => DEV_ONLY_FILE.test(file))).toEqual([]);
      const packages = new Set(inputs.map(packageOfInput).filter((name) => name !== undefined));
      expect(DEV_DEPENDENCIES.filter((name) => packages.has(name))).toEqual([]);
      // Secrets come from Secrets Manager only: nothing that resolves `env:` references ships.
      expect(inputs.filter((file) => /env-secret/.test(file))).toEqual([]);
    },
    60_000,
  );
});

describe("the CLI", () => {
  it("loads no local/ module and no devDependency, for any command but dev", async () => {
    const graph = await importGraph("lib/cli/main.ts");
    const loaded = reachable(graph, "lib/cli/main.ts", (file) => file === "lib/cli/commands/dev.ts");
    // The commands are there (dynamic imports followed), dev is not.
    expect(loaded).toContain("lib/cli/commands/status.ts");
    expect(loaded).toContain("lib/cli/commands/add.ts");
    expect(loaded).not.toContain("lib/cli/commands/dev.ts");
    expect([...loaded].filter((file) => DEV_ONLY_FILE.test(file))).toEqual([]);
    expect(DEV_DEPENDENCIES.filter((name) => loaded.has(name))).toEqual([]);
  }, 60_000);

  it("reaches the stand-ins through the dev command only (the check above can fail)", async () => {
    const graph = await importGraph("lib/cli/main.ts");
    const everything = reachable(graph, "lib/cli/main.ts");
    expect(everything).toContain("local/stack.ts");
    expect(everything).toContain("dynalite");
  }, 60_000);
});
