/**
 * A data source past Notion's 10,000 results per query, on the stand-in (which caps every query at
 * 10,000 and says so with `request_status`): every row is read, none twice. Time is scaled so the
 * ~15,150 requests take seconds; the stand-in's rate limit still holds, at the same ratio.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotionConnector } from "../../lib/adapters/notion/notion-source.js";
import { PermanentError } from "../../lib/shared/errors.js";
import { type NotionStandIn, startNotionServer } from "../../local/notion-server.js";
import { NotionWorkspace } from "../../local/notion-workspace.js";
import { TestClock } from "../support/harness.js";

const TOKEN = "large-database-token-not-a-secret";
const ROWS = 15_000;
/** Notion's rate ×1000: 3,000 requests a second (the stand-in allows bursts of 5,000 at that scale). */
const SERVER_RATE = { requestsPerSecond: 3000, burst: 5000 };
const CLIENT_RATE = { requestsPerSecond: 3000, burst: 3000 };

let server: NotionStandIn;
let workspace: NotionWorkspace;
let clock: TestClock;
let databaseId: string;

beforeAll(async () => {
  clock = new TestClock(new Date("2026-01-05T09:00:00Z"));
  workspace = new NotionWorkspace({ clock });
  const database = workspace.addDatabase({ title: "Tickets", columns: { Name: "title" } });
  databaseId = database.databaseId;
  // Rows created over several hours, 700 in a minute: query windows start inside a minute.
  for (let i = 0; i < ROWS; i++) {
    if (i > 0 && i % 700 === 0) clock.advance(60_000);
    workspace.addRow(database.dataSourceId, { Name: `Ticket ${i}` });
  }
  server = await startNotionServer({ workspace, tokens: [TOKEN], rateLimit: SERVER_RATE });
});

afterAll(async () => {
  await server.close();
});

describe("a data source past 10,000 rows", () => {
  it("the stand-in cuts a query at 10,000 results and marks every page of it incomplete", async () => {
    const dataSourceId = await firstDataSourceId();
    let cursor: string | undefined;
    let rows = 0;
    let pages = 0;
    do {
      const response = await fetch(`${server.url}/v1/data_sources/${dataSourceId}/query`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${TOKEN}`,
          "notion-version": "2025-09-03",
          "content-type": "application/json",
        },
        body: JSON.stringify({ page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }),
      });
      const body = (await response.json()) as {
        results: unknown[];
        has_more: boolean;
        next_cursor: string | null;
        request_status?: unknown;
      };
      expect(body.request_status).toEqual({
        type: "incomplete",
        incomplete_reason: "query_result_limit_reached",
      });
      rows += body.results.length;
      pages += 1;
      cursor = body.has_more ? (body.next_cursor ?? undefined) : undefined;
    } while (cursor !== undefined);
    expect(rows).toBe(10_000);
    expect(pages).toBe(100);
  });

  it("extraction reads every row once, through created_time windows", async () => {
    const source = createNotionConnector({ baseUrl: server.url, rate: CLIENT_RATE }).open(TOKEN);
    server.resetCounts();
    const extracted = await source.extract(databaseId, "database");
    const names = extracted.blocks.map((block) => block.text.replace(/^Name: /, ""));
    expect(names).toHaveLength(ROWS);
    expect(new Set(names).size).toBe(ROWS);
    expect(names[0]).toBe("Ticket 0");
    expect(names[ROWS - 1]).toBe(`Ticket ${ROWS - 1}`);
    // Two windows: 100 pages, then the rest from the last minute read (a page or so read twice).
    const queries = server.requestCounts()["POST /v1/data_sources/:id/query"] ?? 0;
    expect(queries).toBeGreaterThanOrEqual(150);
    expect(queries).toBeLessThanOrEqual(160);
  });

  it("fails, naming the minute, when more rows were created in one minute than one query returns", async () => {
    const crowded = new NotionWorkspace({ clock: new TestClock(new Date("2026-01-05T09:00:00Z")) });
    const database = crowded.addDatabase({ title: "Import", columns: { Name: "title" } });
    for (let i = 0; i < 30; i++) crowded.addRow(database.dataSourceId, { Name: `Row ${i}` });
    const small = await startNotionServer({
      workspace: crowded,
      tokens: [TOKEN],
      rateLimit: SERVER_RATE,
      queryResultLimit: 20,
    });
    try {
      const source = createNotionConnector({ baseUrl: small.url, rate: CLIENT_RATE }).open(TOKEN);
      const error = await source.extract(database.databaseId, "database").catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as Error).message).toMatch(
        /more rows created in one minute \(2026-01-05T09:00:00.000Z\)/,
      );
    } finally {
      await small.close();
    }
  });
});

async function firstDataSourceId(): Promise<string> {
  const response = await fetch(`${server.url}/v1/databases/${databaseId}`, {
    headers: { authorization: `Bearer ${TOKEN}`, "notion-version": "2025-09-03" },
  });
  const body = (await response.json()) as { data_sources: { id: string }[] };
  return body.data_sources[0]?.id ?? "";
}
