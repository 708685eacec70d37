/**
 * The stack's bundling options (infra/function-defaults.ts) as esbuild API options, argument for
 * argument what NodejsFunction passes to the esbuild CLI: the bundle-size bench builds exactly what
 * `cdk deploy` uploads, and a test checks the two agree byte for byte.
 */
import path from "node:path";
import type { BuildOptions } from "esbuild";
import { BUNDLING, PROJECT_ROOT } from "./function-defaults.js";

export function esbuildOptionsFor(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [path.join(PROJECT_ROOT, entry)],
    bundle: true,
    platform: "node",
    target: BUNDLING.target,
    format: BUNDLING.format === "esm" ? "esm" : "cjs",
    outfile: path.join(outdir, BUNDLING.format === "esm" ? "index.mjs" : "index.js"),
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    external: BUNDLING.externalModules,
    tsconfig: path.join(PROJECT_ROOT, "tsconfig.json"),
    banner: BUNDLING.banner ? { js: BUNDLING.banner } : undefined,
    mainFields: BUNDLING.mainFields,
    absWorkingDir: PROJECT_ROOT,
    logLevel: "silent",
  };
}
