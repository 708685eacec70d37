// `npm run build:client` (and `prepare`, so an install from git builds it): the typed client
// (lib/client/query-client.ts) as one ES module in dist/client/, for `import … from "notion-index-sync/client"`.
// It imports types only, so the bundle is the client alone. Without esbuild (an install that omits
// devDependencies) there is nothing to build with: say so and go on.
let build;
try {
  ({ build } = await import("esbuild"));
} catch {
  process.stdout.write("build:client skipped: esbuild is not installed (devDependencies omitted)\n");
  process.exit(0);
}
await build({
  entryPoints: ["lib/client/query-client.ts"],
  outfile: "dist/client/query-client.js",
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  logLevel: "warning",
});
