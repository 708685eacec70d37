/**
 * Databases through data sources, with the real client against the stand-in: every row across pages of
 * the query, its properties as `name: value` lines and its page body, one unit per row, so that no chunk
 * spans two rows and each row's chunks link to that row's page.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotionConnector } from "../../lib/adapters/notion/notion-source.js";
import { splitBlocks } from "../../lib/chunking/split.js";
import { AUTOMATIC_RULE } from "../../lib/core/model.js";
import type { ExtractedDocument, NotionSource } from "../../lib/core/ports.js";
import { heading2, paragraph } from "../../local/notion-blocks.js";
import { type NotionStandIn, startNotionServer } from "../../local/notion-server.js";
import { NotionWorkspace } from "../../local/notion-workspace.js";
import { TEST_CLIENT_BUDGET, TEST_CLIENT_RATE, TEST_NOTION_RATE } from "../support/harness.js";

const TOKEN = "secret_database_test_token";
const ROWS = 120;

let server: NotionStandIn;
let workspace: NotionWorkspace;
let source: NotionSource;
let databaseId: string;
let extracted: ExtractedDocument;

function rowBody(i: number) {
  if (i % 10 !== 0) return [];
  return [
    heading2(`Notes for service ${i}`),
    paragraph(
      `Service ${i} handles ${"requests from the checkout flow and retries them on failure ".repeat(12)}`.trim(),
    ),
  ];
}

let runbooksId: string;
let incidentsId: string;
let teamsId: string;

const ADA = {
  object: "user",
  id: "7f1c7bde-2b1c-4c54-9d0c-5f2f4fa2e0a1",
  name: "Ada Lovelace",
  avatar_url: null,
  type: "person",
  person: { email: "ada@example.com" },
};
/** Property values in the shapes of Notion's page property reference (API 2025-09-03). */
const INCIDENT_PROPERTIES = {
  Ticket: { id: "a%3Ab", type: "unique_id", unique_id: { prefix: "INC", number: 42 } },
  Opened: { id: "c%3Ad", type: "created_time", created_time: "2025-05-30T08:12:00.000Z" },
  Updated: { id: "e%3Af", type: "last_edited_time", last_edited_time: "2025-06-01T10:00:00.000Z" },
  Reporter: { id: "g%3Ah", type: "created_by", created_by: ADA },
  "Last editor": { id: "i%3Aj", type: "last_edited_by", last_edited_by: ADA },
  "Minutes down": {
    id: "k%3Al",
    type: "formula",
    formula: { type: "number", number: 37 },
  },
  "Total cost": { id: "m%3An", type: "rollup", rollup: { type: "number", number: 1250.5, function: "sum" } },
  "Last review": {
    id: "o%3Ap",
    type: "rollup",
    rollup: {
      type: "date",
      date: { start: "2025-06-02", end: null, time_zone: null },
      function: "latest_date",
    },
  },
  Services: {
    id: "q%3Ar",
    type: "rollup",
    rollup: {
      type: "array",
      array: [
        {
          type: "title",
          title: [
            { type: "text", text: { content: "Payments", link: null }, plain_text: "Payments", href: null },
          ],
        },
        { type: "select", select: { id: "s1", name: "Tier 1", color: "red" } },
      ],
      function: "show_original",
    },
  },
  Postmortem: {
    id: "s%3At",
    type: "files",
    files: [
      { name: "postmortem.pdf", type: "external", external: { url: "https://example.com/postmortem.pdf" } },
    ],
  },
  Verified: {
    id: "u%3Av",
    type: "verification",
    verification: {
      state: "verified",
      verified_by: ADA,
      date: { start: "2025-06-01", end: "2025-09-01", time_zone: null },
    },
  },
  Where: {
    id: "w%3Ax",
    type: "place",
    place: {
      lat: 52.52,
      lon: 13.405,
      name: "Berlin office",
      address: "Unter den Linden 1, Berlin",
      aws_place_id: null,
      google_place_id: null,
    },
  },
  Escalate: { id: "y%3Az", type: "button", button: {} },
};

beforeAll(async () => {
  workspace = new NotionWorkspace({ clock: { now: () => new Date("2025-06-01T10:15:00.000Z") } });
  const handbook = workspace.addPage({ title: "Team handbook", blocks: [paragraph("Welcome.")] });
  const secret = workspace.addPage({ title: "Secret plans", blocks: [] });
  workspace.unsharePage(secret);
  const database = workspace.addDatabase({
    title: "Service catalog",
    columns: {
      Name: "title",
      Owner: "people",
      Contact: "email",
      Depends: "relation",
      Tier: "select",
    },
  });
  databaseId = database.databaseId;
  const rowIds: string[] = [];
  for (let i = 0; i < ROWS; i += 1) {
    const values = {
      Name: `Service ${i}`,
      Owner: i % 2 === 0 ? ["Ada Lovelace", "Alan Turing"] : ["Grace Hopper"],
      Contact: `team-${i}@example.com`,
      Depends: i === 0 ? [handbook, secret] : [rowIds[i - 1] as string],
      Tier: `Tier ${1 + (i % 3)}`,
    };
    rowIds.push(workspace.addRow(database.dataSourceId, values, { blocks: rowBody(i) }));
  }
  const runbooks = workspace.addDatabase({
    title: "Runbooks",
    description: "Every runbook the on-call engineer may need, newest first.",
    columns: { Name: "title" },
    rows: [{ Name: "Database failover" }],
  });
  runbooksId = runbooks.databaseId;
  const incidents = workspace.addDatabase({ title: "Incidents", columns: { Name: "title" } });
  incidentsId = incidents.databaseId;
  const linkedDocs = Array.from({ length: 30 }, (_, i) =>
    workspace.addPage({ title: `Doc ${i}`, blocks: [] }),
  );
  const team = workspace.addDatabase({
    title: "Teams",
    columns: { Name: "title", Members: "people", Docs: "relation" },
  });
  teamsId = team.databaseId;
  workspace.addRow(team.dataSourceId, {
    Name: "Platform",
    Members: Array.from({ length: 27 }, (_, i) => `Engineer ${i}`),
    Docs: linkedDocs,
  });
  workspace.addRow(
    incidents.dataSourceId,
    { Name: "Checkout outage" },
    { apiProperties: INCIDENT_PROPERTIES },
  );
  server = await startNotionServer({ workspace, tokens: [TOKEN], rateLimit: TEST_NOTION_RATE });
  source = createNotionConnector({
    baseUrl: server.url,
    rate: TEST_CLIENT_RATE,
    budget: TEST_CLIENT_BUDGET,
  }).open(TOKEN);
  extracted = await source.extract(databaseId, "database");
});

afterAll(async () => {
  await server.close();
});

describe("a database document", () => {
  it("reads every row across pages of the query, with its properties as name: value lines", () => {
    const rows = extracted.blocks.filter((extractedBlock) => extractedBlock.text.startsWith("Name: "));
    expect(rows).toHaveLength(ROWS);
    expect(rows[0]?.text).toBe(
      [
        "Name: Service 0",
        "Owner: Ada Lovelace, Alan Turing",
        "Contact: team-0@example.com",
        // The handbook is looked up; the page not shared with the integration has no name to show.
        "Depends: Team handbook",
        "Tier: Tier 1",
      ].join("\n"),
    );
    // A relation to another row of the same database needs no look-up.
    expect(rows[1]?.text).toContain("Depends: Service 0");
    expect(extracted.title).toBe("Service catalog");
  });

  it("adds each row's page body after its properties, under the row's title", () => {
    const index = extracted.blocks.findIndex((extractedBlock) =>
      extractedBlock.text.startsWith("Name: Service 10\n"),
    );
    const [properties, heading, body] = extracted.blocks.slice(index, index + 3);
    expect(heading?.text).toBe("## Notes for service 10");
    expect(heading?.headingPath).toEqual(["Service 10", "Notes for service 10"]);
    expect(body?.text).toMatch(/^Service 10 handles requests/);
    expect(new Set([properties?.unit, heading?.unit, body?.unit])).toEqual(new Set([properties?.blockId]));
    expect(heading?.sourceUrl.startsWith(`${properties?.sourceUrl}#`)).toBe(true);
  });

  it("makes chunks that never span two rows, each linking to its row's page", () => {
    const chunks = splitBlocks(extracted.blocks, { ...AUTOMATIC_RULE, maxTokens: 100, overlap: 20 });
    const unitOf = new Map(
      extracted.blocks.map((extractedBlock) => [extractedBlock.blockId, extractedBlock.unit]),
    );
    const rows = extracted.blocks.filter((extractedBlock) => extractedBlock.text.startsWith("Name: "));
    const rowOf = new Map(
      rows.map((row) => [row.unit, { url: row.sourceUrl, name: row.text.split("\n")[0] }]),
    );
    for (const chunk of chunks) {
      const row = rowOf.get(unitOf.get(chunk.blockId));
      expect(chunk.sourceUrl.startsWith(row?.url ?? "none")).toBe(true);
      // Every mention of a service, but the relation to the previous row, names the chunk's own row.
      const own = chunk.content.replace(/^Depends: .*$/gm, "");
      const services = new Set([...own.matchAll(/Service \d+/g)].map((match) => match[0]));
      for (const service of services) expect(`Name: ${service}`, chunk.content).toBe(row?.name);
    }
    expect(chunks.length).toBeGreaterThan(ROWS);
  });

  it("counts its requests: the database, two pages of rows, each row's body, one title look-up", () => {
    // Two look-ups: the handbook, and the page that is not shared (which answers 404).
    expect(extracted.stats.requests).toBe(1 + 2 + ROWS + 2);
    expect(extracted.stats.blocks).toBe(ROWS + (ROWS / 10) * 2);
  });
});

describe("a database's description", () => {
  it("is the document's first block, as Notion shows it under the title", async () => {
    const runbooks = await source.extract(runbooksId, "database");
    expect(runbooks.blocks.map((extractedBlock) => extractedBlock.text)).toEqual([
      "Every runbook the on-call engineer may need, newest first.",
      "Name: Database failover",
    ]);
    expect(runbooks.blocks[0]?.unit).toBe(runbooksId);
  });
});

describe("property types at the edges", () => {
  it("reads every value a person sees in Notion, in order, and leaves the button out", async () => {
    const incidents = await source.extract(incidentsId, "database");
    expect(incidents.blocks[0]?.text.split("\n")).toEqual([
      "Name: Checkout outage",
      "Ticket: INC-42",
      "Opened: 2025-05-30T08:12:00.000Z",
      "Updated: 2025-06-01T10:00:00.000Z",
      "Reporter: Ada Lovelace",
      "Last editor: Ada Lovelace",
      "Minutes down: 37",
      "Total cost: 1250.5",
      "Last review: 2025-06-02",
      "Services: Payments, Tier 1",
      "Postmortem: postmortem.pdf",
      "Verified: verified by Ada Lovelace until 2025-09-01",
      "Where: Berlin office, Unter den Linden 1, Berlin",
    ]);
  });
});

describe("relations and people past 25", () => {
  it("reads every reference through the page-property endpoint, in order", async () => {
    const before = server.requestCounts()["GET /v1/pages/:id/properties/:property_id"] ?? 0;
    const teams = await source.extract(teamsId, "database");
    const lines = teams.blocks[0]?.text.split("\n") ?? [];
    expect(lines[0]).toBe("Name: Platform");
    expect(lines.find((line) => line.startsWith("Members: "))).toBe(
      `Members: ${Array.from({ length: 27 }, (_, i) => `Engineer ${i}`).join(", ")}`,
    );
    expect(lines.find((line) => line.startsWith("Docs: "))).toBe(
      `Docs: ${Array.from({ length: 30 }, (_, i) => `Doc ${i}`).join(", ")}`,
    );
    // One request for each property read whole (each fits in one page of 100 items).
    expect((server.requestCounts()["GET /v1/pages/:id/properties/:property_id"] ?? 0) - before).toBe(2);
  });
});
