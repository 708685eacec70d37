/**
 * The shared Notion rate budget on the real stand-ins: DynamoDB (dynalite) holds each binding's
 * schedule, the Notion stand-in enforces its rate per token. Two connectors play two function
 * instances (each its own process state); only the table links them.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoDbRateBudget } from "../../lib/adapters/aws/dynamodb-rate-budget.js";
import { ensureTable } from "../../lib/adapters/aws/ensure-table.js";
import { createNotionConnector } from "../../lib/adapters/notion/notion-source.js";
import type { NotionAccess } from "../../lib/core/ports.js";
import { RetryableError } from "../../lib/shared/errors.js";
import { paragraph } from "../../local/notion-blocks.js";
import { type NotionStandIn, startNotionServer } from "../../local/notion-server.js";
import { NotionWorkspace } from "../../local/notion-workspace.js";

const TABLE = "budget-test";
const RATE = { requestsPerSecond: 20, burst: 3 };
const SERVER_RATE = { requestsPerSecond: 20, burst: 5 };
const TOKEN_A = "token-a-not-a-secret";
const TOKEN_B = "token-b-not-a-secret";
const A: NotionAccess = { budgetKey: "notion#tenant-a#ws" };
const B: NotionAccess = { budgetKey: "notion#tenant-b#ws" };

let db: ReturnType<typeof dynalite>;
let client: DynamoDBClient;
let server: NotionStandIn;
let pageA: string;
let pageB: string;
let dynamoRequests = 0;

beforeAll(async () => {
  db = dynalite({ createTableMs: 0 });
  db.listen(0, "127.0.0.1");
  await once(db, "listening");
  client = new DynamoDBClient({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${(db.address() as AddressInfo).port}`,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await ensureTable(client, TABLE);
  const workspaceA = new NotionWorkspace();
  pageA = workspaceA.addPage({ title: "A", blocks: [paragraph("a")] });
  const workspaceB = new NotionWorkspace();
  pageB = workspaceB.addPage({ title: "B", blocks: [paragraph("b")] });
  server = await startNotionServer({
    workspaces: [
      { workspace: workspaceA, tokens: [TOKEN_A] },
      { workspace: workspaceB, tokens: [TOKEN_B] },
    ],
    rateLimit: SERVER_RATE,
  });
});

afterAll(async () => {
  await server.close();
  client.destroy();
  await new Promise<void>((resolve) => db.close(() => resolve()));
});

/** One function instance: its own connector, the budget in the shared table. */
function instance(options: { budgetWaitMs?: number; retry?: false } = {}) {
  return createNotionConnector({
    baseUrl: server.url,
    rate: RATE,
    budget: createDynamoDbRateBudget(client, TABLE, { onRequest: () => (dynamoRequests += 1) }),
    ...options,
  });
}

describe("the shared rate budget", () => {
  it("keeps two instances on one binding within the token's rate together: no 429 from Notion", async () => {
    const [first, second] = [instance().open(TOKEN_A, A), instance().open(TOKEN_A, A)];
    const before = server.rateLimited();
    dynamoRequests = 0;
    const reads = 60;
    await Promise.all(
      [first, second].map(async (source) => {
        for (let i = 0; i < reads / 2; i++) await source.getState(pageA, "page");
      }),
    );
    expect(server.rateLimited() - before).toBe(0);
    // Slots are booked three at a time: about one conditional write per three requests.
    expect(dynamoRequests / reads).toBeLessThan(0.75);
  });

  it("gives each binding its own budget: one binding's backlog does not hold the other back", async () => {
    const budget = createDynamoDbRateBudget(client, TABLE);
    const now = Date.now() + 60_000; // a moment no other test books
    const backlog = await budget.reserve("notion#busy#ws", RATE, { count: 200, now, maxWaitMs: 60_000 });
    expect("slots" in backlog).toBe(true);
    const other = await budget.reserve("notion#quiet#ws", RATE, { count: 1, now, maxWaitMs: 0 });
    expect(other).toEqual({ slots: [now] });
    const busy = await budget.reserve("notion#busy#ws", RATE, { count: 1, now, maxWaitMs: 1000 });
    expect("refusedUntil" in busy).toBe(true);
  });

  it("two bindings at full rate at once, each on its own token: no 429 from Notion", async () => {
    const before = server.rateLimited();
    await Promise.all(
      [
        [TOKEN_A, A, pageA],
        [TOKEN_B, B, pageB],
      ].map(async ([token, access, page]) => {
        const source = instance().open(token as string, access as NotionAccess);
        for (let i = 0; i < 30; i++) await source.getState(page as string, "page");
      }),
    );
    expect(server.rateLimited() - before).toBe(0);
  });

  it("a 429 from Notion holds back every instance on the binding, until its Retry-After", async () => {
    const first = instance({ retry: false }).open(TOKEN_B, B);
    const second = instance({ retry: false, budgetWaitMs: 1000 }).open(TOKEN_B, B);
    server.faults.failNext(1, 429, 5);
    await expect(first.getState(pageB, "page")).rejects.toBeInstanceOf(RetryableError);
    const counts = server.requestCounts()["GET /v1/pages/:id"];
    const error = await second.getState(pageB, "page").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterSeconds).toBeGreaterThanOrEqual(4);
    // Refused by the budget: the second instance never asked Notion.
    expect(server.requestCounts()["GET /v1/pages/:id"]).toBe(counts);
  });
});

describe("the Notion stand-in's rate limit", () => {
  it("answers a token over its rate with Notion's 429: integer Retry-After and rate_limit_reason", async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(`${server.url}/v1/users/me`, {
          headers: { authorization: `Bearer ${TOKEN_A}`, "notion-version": "2025-09-03" },
        }),
      ),
    );
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    const first = refused[0] as Response;
    expect(first.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    const body = (await first.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: "error",
      status: 429,
      code: "rate_limited",
      additional_data: { rate_limit_reason: expect.any(String) },
    });
    // Let the bucket refill before the next test.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  });
});
