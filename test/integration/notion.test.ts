/**
 * The Notion adapter with the real `@notionhq/client` against the Notion stand-in on 127.0.0.1.
 */

import { Client, LogLevel } from "@notionhq/client";
import { encode } from "gpt-tokenizer";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createNotionConnector } from "../../lib/adapters/notion/notion-source.js";
import type { NotionSource } from "../../lib/core/ports.js";
import {
  NotionAuthError,
  NotionNotFoundError,
  PermanentError,
  RetryableError,
} from "../../lib/shared/errors.js";
import { createDemoWorkspace, DEMO_DATABASE, DEMO_PAGES, DEMO_TOKEN } from "../../local/demo-workspace.js";
import {
  type BlockSpec,
  block,
  bulleted,
  callout,
  code,
  divider,
  equation,
  heading1,
  heading2,
  heading3,
  numbered,
  pageMention,
  paragraph,
  quote,
  text,
  toDo,
  toggle,
} from "../../local/notion-blocks.js";
import { type NotionStandIn, startNotionServer } from "../../local/notion-server.js";
import { NotionWorkspace } from "../../local/notion-workspace.js";
import { TEST_CLIENT_BUDGET, TEST_CLIENT_RATE, TEST_NOTION_RATE } from "../support/harness.js";

const TOKEN = "secret_integration_token_for_tests_0123456789";
const WORKSPACE_ID = "9b1e7c52-3f0a-4d8e-b6a1-0c2d3e4f5a6b";

const ids = {
  page: "aaaaaaaa-0000-4000-8000-000000000001",
  big: "aaaaaaaa-0000-4000-8000-000000000002",
  types: "aaaaaaaa-0000-4000-8000-000000000003",
  trashed: "aaaaaaaa-0000-4000-8000-000000000004",
  unshared: "aaaaaaaa-0000-4000-8000-000000000005",
  deleted: "aaaaaaaa-0000-4000-8000-000000000006",
  database: "bbbbbbbb-0000-4000-8000-000000000001",
  dataSource: "bbbbbbbb-0000-4000-8000-000000000002",
  missing: "cccccccc-0000-4000-8000-000000000001",
};

let now = new Date("2025-06-01T10:15:42.123Z");
const clock = { now: () => now };

let workspace: NotionWorkspace;
let server: NotionStandIn;
let source: NotionSource;

/** 130 paragraphs, a nested list 5 levels deep, 130 more paragraphs: three pages of top-level children. */
function bigPageBlocks(): BlockSpec[] {
  const paragraphs = (from: number) => Array.from({ length: 130 }, (_, i) => paragraph(`para ${from + i}`));
  let nested = bulleted("level 5");
  for (let level = 4; level >= 1; level--) nested = bulleted(`level ${level}`, [nested]);
  return [
    heading1("Part A"),
    ...paragraphs(0),
    heading2("Section B"),
    nested,
    ...paragraphs(130),
    heading1("Part C"),
    paragraph("the end"),
  ];
}

function typesPageBlocks(): BlockSpec[] {
  return [
    paragraph([
      text("See "),
      text("the docs", { href: "https://example.com/docs" }),
      text(" and "),
      pageMention(ids.page, "Plain page"),
      text(", where "),
      equation("E=mc^2"),
      text(" holds."),
    ]),
    heading1("One"),
    heading2("Two"),
    heading3("Three"),
    bulleted("bullet", [bulleted("nested bullet")]),
    numbered("first"),
    numbered("second"),
    paragraph("between lists"),
    numbered("first again"),
    toDo("done thing", true),
    toDo("open thing", false),
    quote("wise words"),
    code('console.log("hi");', "javascript"),
    toggle("toggle title", [paragraph("hidden child")]),
    callout("heads up", "💡"),
    divider(),
    block("breadcrumb", {}),
  ];
}

function buildWorkspace(): NotionWorkspace {
  const built = new NotionWorkspace({ clock, workspaceName: "Test Workspace" });
  built.addPage({ id: ids.page, title: "Plain page", blocks: [paragraph("hello world")] });
  built.addPage({ id: ids.big, title: "Big page", blocks: bigPageBlocks() });
  built.addPage({ id: ids.types, title: "Every type", blocks: typesPageBlocks() });
  for (const id of [ids.trashed, ids.unshared, ids.deleted]) {
    built.addPage({ id, title: `Page ${id.slice(-1)}`, blocks: [paragraph("soon gone")] });
  }
  built.addDatabase({
    id: ids.database,
    dataSourceId: ids.dataSource,
    title: "Tasks",
    columns: {
      Name: "title",
      Notes: "rich_text",
      Status: "status",
      Tags: "multi_select",
      Due: "date",
      Points: "number",
      Done: "checkbox",
      Link: "url",
    },
    rows: Array.from({ length: 130 }, (_, i) => ({
      Name: `Task ${i}`,
      Notes: `note ${i}`,
      Status: i % 2 === 0 ? "Done" : "In progress",
      Tags: ["alpha", "beta"],
      Due: "2025-07-01",
      Points: i,
      Done: i % 2 === 0,
      Link: `https://example.com/tasks/${i}`,
    })),
  });
  built.trashPage(ids.trashed);
  built.unsharePage(ids.unshared);
  built.deletePage(ids.deleted);
  return built;
}

function connectorFor(url: string) {
  // Short back-off keeps the retry tests quick; the production defaults are larger.
  return createNotionConnector({
    baseUrl: url,
    rate: TEST_CLIENT_RATE,
    budget: TEST_CLIENT_BUDGET,
    retry: { initialRetryDelayMs: 10, maxRetryDelayMs: 2_000 },
  });
}

beforeAll(async () => {
  workspace = buildWorkspace();
  server = await startNotionServer({
    workspace,
    tokens: [TOKEN],
    workspaceId: WORKSPACE_ID,
    rateLimit: TEST_NOTION_RATE,
  });
  source = connectorFor(server.url).open(TOKEN);
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.resetCounts();
});

describe("the stand-in speaks the API the real client uses", () => {
  it("answers users/me with the bot, its workspace name and id", async () => {
    const client = new Client({ auth: TOKEN, baseUrl: server.url });
    const me = await client.users.me({});
    expect(me.type).toBe("bot");
    if (me.type !== "bot" || !("workspace_name" in me.bot)) throw new Error("not a full bot user");
    expect(me.bot.workspace_name).toBe("Test Workspace");
    expect(me.bot.workspace_id).toBe(WORKSPACE_ID);
  });

  it("searches pages without trashed ones, and filters data sources by time", async () => {
    const client = new Client({ auth: TOKEN, baseUrl: server.url });
    const pages = await client.search({ filter: { property: "object", value: "page" }, page_size: 100 });
    const found = pages.results.map((result) => result.id);
    expect(found).toContain(ids.page);
    expect(found).not.toContain(ids.trashed);
    expect(found).not.toContain(ids.unshared);
    const dataSources = await client.search({ filter: { property: "object", value: "data_source" } });
    expect(dataSources.results.map((result) => result.id)).toEqual([ids.dataSource]);

    const later = await client.dataSources.query({
      data_source_id: ids.dataSource.replaceAll("-", ""),
      filter: { timestamp: "last_edited_time", last_edited_time: { after: "2030-01-01T00:00:00.000Z" } },
    });
    expect(later.results).toEqual([]);
  });

  it("answers Notion's validation error for a page_size over 100", async () => {
    // The refusal is the point: the client's own console warning about it is not wanted here.
    const client = new Client({ auth: TOKEN, baseUrl: server.url, retry: false, logLevel: LogLevel.ERROR });
    await expect(client.blocks.children.list({ block_id: ids.big, page_size: 101 })).rejects.toMatchObject({
      status: 400,
      code: "validation_error",
    });
  });

  it("answers a validation error, not a server error, for an id that is not valid percent-encoding", async () => {
    const response = await fetch(`${server.url}/v1/pages/%E0%A4%A`, {
      headers: { authorization: `Bearer ${TOKEN}`, "notion-version": "2025-09-03" },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ object: "error", code: "validation_error" });
  });
});

describe("getState", () => {
  it("reads a page: title, minute-rounded last_edited_time, url, flags, parent", async () => {
    const state = await source.getState(ids.page);
    expect(state).toEqual({
      type: "page",
      parent: { type: "workspace" },
      title: "Plain page",
      lastEditedTime: "2025-06-01T10:15:00.000Z",
      archived: false,
      inTrash: false,
      url: `https://www.notion.so/Plain-page-${ids.page.replaceAll("-", "")}`,
    });
  });

  it("falls back to the database API when the id is a database, and reads it directly too", async () => {
    const untyped = await source.getState(ids.database);
    expect(untyped.type).toBe("database");
    expect(untyped.title).toBe("Tasks");
    expect(await source.getState(ids.database, "database")).toEqual(untyped);
  });

  it("maps a wrong token to NotionAuthError without leaking the token", async () => {
    const wrongToken = "secret_wrong_token_that_must_not_leak_42";
    const error = await connectorFor(server.url)
      .open(wrongToken)
      .getState(ids.page)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotionAuthError);
    expect((error as Error).message).toBe(
      "Notion rejected the integration token (401): reconnect Notion for this workspace",
    );
    expect((error as Error).message).not.toContain(wrongToken);
  });

  it("maps unknown, deleted and unshared objects to NotionNotFoundError", async () => {
    for (const id of [ids.missing, ids.deleted, ids.unshared]) {
      const error = await source.getState(id).catch((caught: unknown) => caught);
      expect(error, id).toBeInstanceOf(NotionNotFoundError);
      expect((error as Error).message).not.toContain(TOKEN);
      expect((error as Error).message).not.toContain("\n");
    }
    await expect(source.getState(ids.missing, "page")).rejects.toBeInstanceOf(NotionNotFoundError);
  });

  it("reports a trashed page as in trash", async () => {
    const state = await source.getState(ids.trashed);
    expect(state.inTrash).toBe(true);
    expect(state.archived).toBe(true);
  });

  it("stores a later edit's time rounded down to the minute", async () => {
    const scratch = workspace.addPage({ title: "Scratch", blocks: [paragraph("before")] });
    now = new Date("2025-06-01T10:47:59.900Z");
    workspace.appendParagraph(scratch, "after the edit");
    const state = await source.getState(scratch, "page");
    expect(state.lastEditedTime).toBe("2025-06-01T10:47:00.000Z");
    const extracted = await source.extract(scratch, "page");
    expect(extracted.blocks.map((extractedBlock) => extractedBlock.text)).toEqual([
      "before",
      "after the edit",
    ]);
  });
});

describe("extract a page", () => {
  it("reads every block across pages of children and 5 levels of nesting, in order, with heading paths", async () => {
    const extracted = await source.extract(ids.big.replaceAll("-", ""), "page");
    const texts = extracted.blocks.map((extractedBlock) => extractedBlock.text);
    const paras = (from: number) => Array.from({ length: 130 }, (_, i) => `para ${from + i}`);
    expect(texts).toEqual([
      "# Part A",
      ...paras(0),
      "## Section B",
      "- level 1",
      "  - level 2",
      "    - level 3",
      "      - level 4",
      "        - level 5",
      ...paras(130),
      "# Part C",
      "the end",
    ]);
    const byText = new Map(extracted.blocks.map((extractedBlock) => [extractedBlock.text, extractedBlock]));
    expect(byText.get("# Part A")?.headingPath).toEqual(["Part A"]); // a heading opens its own section
    expect(byText.get("para 0")?.headingPath).toEqual(["Part A"]);
    expect(byText.get("        - level 5")?.headingPath).toEqual(["Part A", "Section B"]);
    expect(byText.get("para 259")?.headingPath).toEqual(["Part A", "Section B"]);
    expect(byText.get("the end")?.headingPath).toEqual(["Part C"]);

    const first = extracted.blocks[0];
    expect(first?.sourceUrl).toBe(`${extracted.url}#${first?.blockId.replaceAll("-", "")}`);
    expect(extracted.title).toBe("Big page");
    expect(extracted.stats.skipped).toBe(0);
    expect(extracted.stats.blocks).toBe(texts.length);

    // 265 top-level blocks take 3 pages of children; each nested list item is one more listing.
    const counts = server.requestCounts();
    expect(counts["GET /v1/blocks/:id/children"]).toBe(3 + 4);
    expect(counts["GET /v1/pages/:id"]).toBe(1);
    expect(extracted.stats.requests).toBe(1 + 3 + 4);
  });

  it("renders each common block type and skips unknown ones", async () => {
    const extracted = await source.extract(ids.types, "page");
    expect(extracted.blocks.map((extractedBlock) => extractedBlock.text)).toEqual([
      "See [the docs](https://example.com/docs) and Plain page, where $E=mc^2$ holds.",
      "# One",
      "## Two",
      "### Three",
      "- bullet",
      "  - nested bullet",
      "1. first",
      "2. second",
      "between lists",
      "1. first again",
      "- [x] done thing",
      "- [ ] open thing",
      "> wise words",
      '```javascript\nconsole.log("hi");\n```',
      "toggle title",
      "  hidden child",
      "💡 heads up",
      "---",
    ]);
    expect(extracted.stats.skipped).toBe(1);
    expect(extracted.blocks.at(-1)?.headingPath).toEqual(["One", "Two", "Three"]);
  });

  it("fails rather than truncate a page with more blocks than allowed", async () => {
    const small = createNotionConnector({
      baseUrl: server.url,
      rate: TEST_CLIENT_RATE,
      budget: TEST_CLIENT_BUDGET,
      maxBlocks: 100,
    }).open(TOKEN);
    const error = await small.extract(ids.big, "page").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe("page has more than 100 blocks");
  });
});

describe("extract a database", () => {
  it("reads every row across pages of the query, with its properties", async () => {
    const extracted = await source.extract(ids.database, "database");
    expect(extracted.title).toBe("Tasks");
    expect(extracted.blocks).toHaveLength(130);
    expect(extracted.blocks[0]?.text).toBe(
      [
        "Name: Task 0",
        "Notes: note 0",
        "Status: Done",
        "Tags: alpha, beta",
        "Due: 2025-07-01",
        "Points: 0",
        "Done: yes",
        "Link: https://example.com/tasks/0",
      ].join("\n"),
    );
    expect(extracted.blocks[129]?.text).toContain("Task 129");
    expect(extracted.blocks[0]?.sourceUrl).toMatch(/^https:\/\/www\.notion\.so\/Task-0-[0-9a-f]{32}$/);
    expect(server.requestCounts()["POST /v1/data_sources/:id/query"]).toBe(2);
    // The database, two pages of rows, and each row's (empty) page body.
    expect(extracted.stats.requests).toBe(1 + 2 + 130);
  });
});

describe("faults and retries", () => {
  it("gives up on a 503 that outlasts the client's retries with a RetryableError", async () => {
    server.faults.failNext(3, 503);
    const error = await source.getState(ids.page, "page").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).not.toContain(TOKEN);
    // One request and two retries.
    expect(server.requestCounts()["GET /v1/pages/:id"]).toBe(3);
  });

  it("absorbs a 429 with Retry-After inside the client", async () => {
    server.faults.failNext(1, 429, 1);
    const state = await source.getState(ids.page, "page");
    expect(state.title).toBe("Plain page");
    expect(server.requestCounts()["GET /v1/pages/:id"]).toBe(2);
  });

  it("surfaces a 429 that outlasts the retries with the server's Retry-After", async () => {
    const impatient = createNotionConnector({
      baseUrl: server.url,
      rate: TEST_CLIENT_RATE,
      budget: TEST_CLIENT_BUDGET,
      retry: false,
    }).open(TOKEN);
    server.faults.failNext(1, 429, 7);
    const error = await impatient.getState(ids.page, "page").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).retryAfterSeconds).toBe(7);
  });

  it("maps a refused connection to RetryableError", async () => {
    const nowhere = createNotionConnector({ baseUrl: "http://127.0.0.1:1", retry: false }).open(TOKEN);
    await expect(nowhere.getState(ids.page)).rejects.toBeInstanceOf(RetryableError);
  });
});

describe("the demo workspace", () => {
  let demoServer: NotionStandIn;
  let demo: NotionSource;

  beforeAll(async () => {
    demoServer = await startNotionServer({
      workspace: createDemoWorkspace(),
      tokens: [DEMO_TOKEN],
      rateLimit: TEST_NOTION_RATE,
    });
    demo = createNotionConnector({
      baseUrl: demoServer.url,
      rate: TEST_CLIENT_RATE,
      budget: TEST_CLIENT_BUDGET,
    }).open(DEMO_TOKEN);
  });

  afterAll(async () => {
    await demoServer.close();
  });

  it("extracts non-empty text for every page, and the handbook is longer than one 500-token chunk", async () => {
    for (const page of Object.values(DEMO_PAGES)) {
      const extracted = await demo.extract(page.id, "page");
      expect(extracted.title).toBe(page.title);
      expect(extracted.blocks.length, page.title).toBeGreaterThan(3);
      expect(extracted.blocks.every((extractedBlock) => extractedBlock.text.trim() !== "")).toBe(true);
    }
    const handbook = await demo.extract(DEMO_PAGES.handbook.id, "page");
    const tokens = encode(handbook.blocks.map((extractedBlock) => extractedBlock.text).join("\n\n")).length;
    expect(tokens).toBeGreaterThan(600);
    const runbook = await demo.extract(DEMO_PAGES.runbook.id, "page");
    expect(runbook.blocks.map((extractedBlock) => extractedBlock.text)).toContain(
      "  Promote the replica in the console, then update the connection secret.",
    );
  });

  it("extracts the demo database's rows", async () => {
    const extracted = await demo.extract(DEMO_DATABASE.id, "database");
    expect(extracted.blocks.map((row) => row.text.split("\n")[0])).toEqual([
      "Name: Checkout API",
      "Name: Search indexer",
      "Name: Email sender",
    ]);
  });
});
