/**
 * The layers, checked over every file's imports (as esbuild resolves them), not hoped for:
 * - the domain imports no vendor SDK, no adapter, no composition, no CLI and no dev tooling;
 * - a function reaches no dev tooling (local/) and no CLI code;
 * - the stack (infra/) imports from lib/ only lib/shared, whose files are constants and pure helpers
 *   that import nothing else.
 * Each rule is also shown to fail on a file that breaks it, so a rule that matches nothing is caught.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/function-defaults.js";
import { type ImportGraph, importGraph, reachable } from "../support/import-graph.js";

/** The domain: everything in lib/ but the adapters, their composition, the CLI and the SQS record handling. */
const DOMAIN =
  /^lib\/(core|shared|chunking|documents|embedding|indexing|rate-limit|sync|webhooks|cost|retrieval|http|client|scopes|telemetry|oauth|tenants|migrations)\//;
/** What the domain may import from npm: a validator, a tokenizer and Node's own modules. */
const DOMAIN_PACKAGES = /^(node:.*|zod|gpt-tokenizer)$/;
const OUTSIDE_DOMAIN =
  /^(lib\/(adapters|composition|cli|sqs-records)\/|local\/|test\/|bench\/|scripts\/|functions\/|infra\/)/;
/** Each function, and a use case it must reach (so the rule below is seen to look at something). */
const FUNCTIONS = {
  "functions/sync/handler.ts": "lib/sync/sync-document.ts",
  "functions/index/handler.ts": "lib/indexing/index-document.ts",
  "functions/webhook/handler.ts": "lib/webhooks/handle-request.ts",
  "functions/query/handler.ts": "lib/retrieval/retrieve.ts",
  "functions/oauth/handler.ts": "lib/oauth/handle-request.ts",
};

function filesUnder(folder: string): string[] {
  const entries = readdirSync(path.join(PROJECT_ROOT, folder), { withFileTypes: true });
  return entries.flatMap((entry) => {
    const file = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return filesUnder(file);
    return /\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [file] : [];
  });
}

/** Each file's direct imports that break `allowed`, as "file → import". */
function violations(
  graph: ImportGraph,
  files: (file: string) => boolean,
  allowed: (target: string) => boolean,
) {
  const found: string[] = [];
  for (const [file, imports] of graph.edges) {
    if (!files(file)) continue;
    for (const { target } of imports) if (!allowed(target)) found.push(`${file} → ${target}`);
  }
  return found;
}

const domainMayImport = (target: string) =>
  target.includes("/") && !target.startsWith("@")
    ? !OUTSIDE_DOMAIN.test(target)
    : DOMAIN_PACKAGES.test(target);
const stackMayImport = (target: string) =>
  !/^(lib|local|test|bench|functions)\//.test(target) || target.startsWith("lib/shared/");
const sharedMayImport = (target: string) => target.startsWith("lib/shared/");

let graph: ImportGraph;

beforeAll(async () => {
  graph = await importGraph([...filesUnder("lib"), ...filesUnder("infra"), ...Object.keys(FUNCTIONS)]);
}, 60_000);

describe("layers", () => {
  it("the domain imports no SDK, adapter, composition, CLI or dev tooling", () => {
    const domainFiles = [...graph.edges.keys()].filter((file) => DOMAIN.test(file));
    expect(domainFiles.length).toBeGreaterThan(50);
    expect(violations(graph, (file) => DOMAIN.test(file), domainMayImport)).toEqual([]);
  });

  it("a function reaches no dev tooling and no CLI code", () => {
    for (const [entry, useCase] of Object.entries(FUNCTIONS)) {
      const loaded = [...reachable(graph, entry)];
      expect(loaded).toContain(useCase);
      expect(loaded.filter((file) => /^(local|test|bench|scripts)\/|^lib\/cli\//.test(file))).toEqual([]);
    }
  });

  it("the stack imports constants only: lib/shared, which imports nothing else", () => {
    expect(violations(graph, (file) => file.startsWith("infra/"), stackMayImport)).toEqual([]);
    expect(violations(graph, (file) => file.startsWith("lib/shared/"), sharedMayImport)).toEqual([]);
  });

  it("each rule fails on a file that breaks it", () => {
    const broken: ImportGraph = {
      edges: new Map([
        ["lib/sync/example.ts", [{ target: "@aws-sdk/client-dynamodb", dynamic: false }]],
        ["lib/indexing/example.ts", [{ target: "lib/adapters/aws/dynamodb-store.ts", dynamic: false }]],
        ["lib/core/example.ts", [{ target: "local/stack.ts", dynamic: true }]],
        ["infra/example.ts", [{ target: "lib/adapters/aws/ensure-table.ts", dynamic: false }]],
        ["lib/shared/example.ts", [{ target: "zod", dynamic: false }]],
      ]),
    };
    expect(violations(broken, (file) => DOMAIN.test(file), domainMayImport)).toHaveLength(3);
    expect(violations(broken, (file) => file.startsWith("infra/"), stackMayImport)).toHaveLength(1);
    expect(violations(broken, (file) => file.startsWith("lib/shared/"), sharedMayImport)).toHaveLength(1);
  });
});
