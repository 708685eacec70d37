/**
 * The tokenizer's ranks are a data file beside the bundle, not a megabyte of JavaScript in it: the
 * index bundle holds no rank table, the stack copies the file beside it, and the bundled code reads
 * that copy (the same bytes as the package's) and counts as the tokenizer does.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { esbuildOptionsFor } from "../../infra/esbuild-options.js";
import { bundleAssets } from "../../infra/function-defaults.js";
import { countTokens } from "../../lib/chunking/tokenizer.js";

const INDEX = "functions/index/handler.ts";
const outdir = mkdtempSync(path.join(tmpdir(), "nis-assets-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("bundle assets", () => {
  it("the index bundle holds no rank table, and its ranks file is declared", async () => {
    const result = await build({ ...esbuildOptionsFor(INDEX, outdir), write: false, metafile: true });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((file) => file.includes("lib/chunking/rank-table.ts"))).toBe(true);
    expect(inputs.filter((file) => /gpt-tokenizer\/.*bpeRanks/.test(file))).toEqual([]);
    expect(bundleAssets(INDEX).map((asset) => asset.name)).toEqual(["cl100k_base.tiktoken"]);
  }, 60_000);

  it("bundled code reads the ranks copied beside it and counts as the tokenizer does", async () => {
    const options = esbuildOptionsFor("test/fixtures/lambda/tokenizer-probe.ts", outdir);
    await build({ ...options, sourcemap: false });
    for (const { source, name } of bundleAssets(INDEX)) copyFileSync(source, path.join(outdir, name));
    const script = `import(${JSON.stringify(options.outfile)}).then((m) => console.log(JSON.stringify(m.probe())))`;
    const answer = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as {
      ranks: string;
      tokens: number;
    };
    expect(answer.ranks).toBe(path.join(outdir, "cl100k_base.tiktoken"));
    expect(answer.tokens).toBe(countTokens("hello world, hello tokenizer"));
    const [asset] = bundleAssets(INDEX);
    expect(readFileSync(answer.ranks).equals(readFileSync(asset?.source ?? ""))).toBe(true);
  }, 60_000);
});
