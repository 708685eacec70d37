/**
 * What the retrieval API filters on, as the index run stores it in Pinecone: a database indexed
 * through the stand-ins (Notion, SQS, DynamoDB, Pinecone) with typed row properties, and a page.
 * Row chunks name the row's page, the database and the row's own edit time and carry `prop:` values
 * typed as Pinecone filters compare them; the description names the database; a page names itself.
 */
import { Pinecone, type RecordMetadata } from "@pinecone-database/pinecone";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Document } from "../../lib/core/model.js";
import type { VectorMetadata } from "../../lib/core/ports.js";
import { heading2, paragraph } from "../../local/notion-blocks.js";
import { type Harness, startHarness } from "../support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Property values the stand-in does not compute, in the shapes of Notion's page property reference. */
const COMPUTED_PROPERTIES = {
  Ticket: { id: "t%3A1", type: "unique_id", unique_id: { prefix: "INC", number: 42 } },
  Phone: { id: "t%3A2", type: "phone_number", phone_number: "+1 555 0100" },
  Opened: { id: "t%3A3", type: "created_time", created_time: "2026-01-05T08:12:00.000Z" },
  Score: { id: "t%3A4", type: "formula", formula: { type: "number", number: 7 } },
  "Due soon": { id: "t%3A5", type: "formula", formula: { type: "boolean", boolean: true } },
  "Next review": {
    id: "t%3A6",
    type: "formula",
    formula: { type: "date", date: { start: "2026-04-01", end: null, time_zone: null } },
  },
  Label: { id: "t%3A7", type: "formula", formula: { type: "string", string: "sev-1" } },
  // Left out: no single value to compare.
  Cost: { id: "t%3A8", type: "rollup", rollup: { type: "number", number: 1250.5, function: "sum" } },
  Attachments: { id: "t%3A9", type: "files", files: [{ name: "report.pdf", type: "external" }] },
  Page: { id: "t%3A10", type: "button", button: {} },
};

const LONG_BODY = [
  heading2("Timeline"),
  ...Array.from({ length: 8 }, (_, i) =>
    paragraph(
      `Step ${i}: the primary database stopped answering and the replica took over after a delay. `.repeat(8),
    ),
  ),
];

/** Every vector of a document, with its metadata, fetched from the Pinecone stand-in. */
async function storedMetadata(documentId: string): Promise<VectorMetadata[]> {
  const ids = (await h.vectorIds()).filter((id) => id.startsWith(`${documentId}#`));
  expect(ids.length).toBeGreaterThan(0);
  const index = new Pinecone({ apiKey: h.env.PINECONE_API_KEY }).index<RecordMetadata>({
    host: h.pinecone.url,
    namespace: h.namespace,
  });
  const { records } = await index.fetch({ ids });
  return ids.map((id) => records[id]?.metadata as unknown as VectorMetadata);
}

function propertyKeys(metadata: VectorMetadata): string[] {
  return Object.keys(metadata).filter((key) => key.startsWith("prop:"));
}

async function indexed(pageId: string): Promise<Document> {
  const [documentId] = (await h.register(pageId)) as [string];
  const { indexed } = await h.syncAndIndex(documentId);
  expect(indexed.map((result) => result.outcome)).toEqual(["completed"]);
  return (await h.store.getDocument(documentId)) as Document;
}

describe("vector metadata for filters", () => {
  it("a database: rows carry their page, the database, their own edit time and typed properties", async () => {
    const { databaseId, dataSourceId } = h.workspace.addDatabase({
      title: "Incidents",
      description: "Every outage of the payment platform, with its timeline.",
      columns: {
        Name: "title",
        Status: "status",
        Severity: "select",
        Tags: "multi_select",
        Minutes: "number",
        Resolved: "checkbox",
        Due: "date",
        Link: "url",
        Contact: "email",
        Notes: "rich_text",
        Owner: "people",
        Related: "relation",
      },
    });
    const outage = h.workspace.addRow(
      dataSourceId,
      {
        Name: "Database failover",
        Status: "In progress",
        Severity: "high",
        Tags: ["db", "payments"],
        Minutes: 95,
        Resolved: true,
        Due: "2026-02-10",
        Link: "https://status.example.com/inc-42",
        Contact: "oncall@example.com",
        Notes: "Failover took too long",
        Owner: ["Ada Lovelace"],
      },
      { blocks: LONG_BODY, apiProperties: COMPUTED_PROPERTIES },
    );
    // Edited two minutes later: its own edit time differs from the other row's.
    h.clock.advance(120_000);
    const slow = h.workspace.addRow(dataSourceId, {
      Name: "Slow checkout",
      Tags: [],
      Resolved: false,
      Notes: "",
      Due: { start: "2026-03-01T09:30:00.000+02:00" },
      Related: [outage],
    });
    h.clock.advance(61_000);
    const document = await indexed(databaseId);
    const stamps = new Map(
      h.workspace.rowStamps(dataSourceId).map((row) => [row.id, Date.parse(row.last_edited_time)]),
    );
    expect(stamps.get(outage)).not.toBe(stamps.get(slow));

    const all = await storedMetadata(document.documentId);
    const byPage = new Map<string | undefined, VectorMetadata[]>();
    for (const metadata of all)
      byPage.set(metadata.pageId, [...(byPage.get(metadata.pageId) ?? []), metadata]);
    expect(new Set(byPage.keys())).toEqual(new Set([databaseId, outage, slow]));
    for (const metadata of all) expect(metadata.databaseId).toBe(databaseId);

    // The description is the database's own: its edit time is the document's.
    const description = byPage.get(databaseId) ?? [];
    expect(description).toHaveLength(1);
    expect(description[0]?.lastEditedTime).toBe(Date.parse(document.dataSourceInfo.lastEditedTime ?? ""));
    expect(propertyKeys(description[0] as VectorMetadata)).toEqual([]);

    const outageChunks = byPage.get(outage) ?? [];
    expect(outageChunks.length).toBeGreaterThan(1);
    for (const metadata of outageChunks) {
      expect(metadata.headingPath[0]).toBe("Database failover");
      expect(metadata.lastEditedTime).toBe(stamps.get(outage));
      // Every chunk of the row, its body's too, carries the row's properties.
      expect(
        Object.fromEntries(propertyKeys(metadata).map((key) => [key, metadata[key as `prop:${string}`]])),
      ).toEqual({
        "prop:Status": "In progress",
        "prop:Severity": "high",
        "prop:Tags": ["db", "payments"],
        "prop:Minutes": 95,
        "prop:Resolved": true,
        "prop:Due": Date.UTC(2026, 1, 10),
        "prop:Link": "https://status.example.com/inc-42",
        "prop:Contact": "oncall@example.com",
        "prop:Notes": "Failover took too long",
        "prop:Ticket": "INC-42",
        "prop:Phone": "+1 555 0100",
        "prop:Opened": Date.UTC(2026, 0, 5, 8, 12),
        "prop:Score": 7,
        "prop:Due soon": true,
        "prop:Next review": Date.UTC(2026, 3, 1),
        "prop:Label": "sev-1",
      });
    }

    // Empty values are left out; false is a value.
    const slowChunks = byPage.get(slow) ?? [];
    expect(slowChunks).toHaveLength(1);
    const slowMetadata = slowChunks[0] as VectorMetadata;
    expect(slowMetadata.lastEditedTime).toBe(stamps.get(slow));
    expect(slowMetadata["prop:Resolved"]).toBe(false);
    expect(slowMetadata["prop:Due"]).toBe(Date.UTC(2026, 2, 1, 7, 30));
    expect(propertyKeys(slowMetadata).sort()).toEqual(["prop:Due", "prop:Resolved"]);
  });

  it("the stored metadata answers Pinecone filters: $in on a list, number ranges, edit times", async () => {
    const ids = async (filter: Record<string, unknown>) => {
      const vector = Array.from({ length: 64 }, (_, i) => (i === 0 ? 1 : 0.01));
      const matches = await h.adapters.vectors.query(h.namespace, vector, { topK: 100, filter });
      return new Set(matches.map((match) => match.metadata?.headingPath[0] ?? ""));
    };
    expect(await ids({ "prop:Tags": { $in: ["payments", "other"] } })).toEqual(
      new Set(["Database failover"]),
    );
    expect(await ids({ "prop:Minutes": { $gte: 90, $lte: 100 } })).toEqual(new Set(["Database failover"]));
    expect(await ids({ "prop:Due": { $gte: Date.UTC(2026, 2, 1), $lt: Date.UTC(2026, 2, 2) } })).toEqual(
      new Set(["Slow checkout"]),
    );
    expect(await ids({ "prop:Resolved": false })).toEqual(new Set(["Slow checkout"]));
    expect(await ids({ "prop:Ticket": "INC-42", "prop:Score": { $gt: 5 } })).toEqual(
      new Set(["Database failover"]),
    );
  });

  it("a page: its own page id and edit time, no database and no properties", async () => {
    const pageId = h.workspace.addPage({ title: "Runbook", blocks: LONG_BODY });
    h.clock.advance(61_000);
    const document = await indexed(pageId);
    const all = await storedMetadata(document.documentId);
    for (const metadata of all) {
      expect(metadata.pageId).toBe(pageId);
      expect(metadata.databaseId).toBeUndefined();
      expect("databaseId" in metadata).toBe(false);
      expect(metadata.lastEditedTime).toBe(Date.parse(document.dataSourceInfo.lastEditedTime ?? ""));
      expect(propertyKeys(metadata)).toEqual([]);
      expect(metadata.title).toBe("Runbook");
    }
  });
});
