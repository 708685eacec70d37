/**
 * The typed client as an application gets it: `import { createQueryClient } from
 * "notion-index-sync/client"` in a plain Node process (the package's export, built into dist/ as
 * `prepare` does), asking the query API over HTTP, and its typed error.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/function-defaults.js";
import { createFunctionUrlHandler } from "../../lib/http/function-url-event.js";
import { ApiError } from "../../lib/retrieval/api-error.js";
import { QUERY_FAILURE } from "../../lib/retrieval/query-api.js";
import { type FunctionUrlServer, startFunctionUrlServer } from "../../local/function-url-server.js";
import { createMemoryQueryApi, MEMORY_TENANT } from "../support/memory-retrieval.js";

const run = promisify(execFile);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let server: FunctionUrlServer;

beforeAll(async () => {
  await run(process.execPath, ["scripts/build-client.mjs"], { cwd: PROJECT_ROOT });
  const api = await createMemoryQueryApi(async (authorization) => {
    if (authorization !== "Bearer good-key") throw new ApiError("unauthorized", "the API key is not valid");
    return { tenantId: MEMORY_TENANT };
  });
  server = await startFunctionUrlServer(createFunctionUrlHandler(api, quiet, QUERY_FAILURE), {
    functionName: "client-package-test",
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** Runs an ES module in a fresh Node process, from the project root (so the package resolves itself). */
async function node(source: string): Promise<unknown> {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", source], {
    cwd: PROJECT_ROOT,
  });
  return JSON.parse(stdout);
}

describe('import { createQueryClient } from "notion-index-sync/client"', () => {
  it("asks the API and returns its matches", async () => {
    const answer = await node(`
      import { createQueryClient } from "notion-index-sync/client";
      const client = createQueryClient({ url: ${JSON.stringify(server.url)}, apiKey: "good-key" });
      const { matches } = await client.query({ query: "refund policy", datasetId: "handbook", topK: 3 });
      console.log(JSON.stringify(matches.map((m) => [m.title, m.content, m.sourceUrl, m.pageId])));
    `);
    expect(answer).toEqual([
      [
        "FAQ",
        "Refunds within 30 days.",
        "https://www.notion.so/faq#1",
        "11111111-1111-4111-8111-111111111111",
      ],
    ]);
  });

  it("throws a QueryApiError with the status and code", async () => {
    const answer = await node(`
      import { createQueryClient, QueryApiError } from "notion-index-sync/client";
      const client = createQueryClient({ url: ${JSON.stringify(server.url)}, apiKey: "wrong" });
      try { await client.query({ query: "x", datasetId: "handbook" }); console.log("null"); }
      catch (error) { console.log(JSON.stringify([error instanceof QueryApiError, error.status, error.code, error.message])); }
    `);
    expect(answer).toEqual([true, 401, "unauthorized", "the API key is not valid"]);
  });
});
