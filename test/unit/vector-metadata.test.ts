/**
 * A vector's metadata stays under Pinecone's 40 KB whatever the page holds, and carries what the
 * retrieval API filters on: page, database (rows), edit time (the row's, for rows) and typed row
 * properties under `prop:` keys.
 */
import { describe, expect, it } from "vitest";
import type { FilterValue } from "../../lib/core/ports.js";
import { MAX_METADATA_TEXT_BYTES } from "../../lib/indexing/metadata-text.js";
import {
  cutUtf8,
  MAX_HEADING_PATH_BYTES,
  MAX_METADATA_JSON_BYTES,
  MAX_PROPERTIES,
  MAX_PROPERTIES_BYTES,
  MAX_PROPERTY_LIST_ITEMS,
  MAX_PROPERTY_STRING_BYTES,
  MAX_TITLE_BYTES,
  PINECONE_METADATA_LIMIT_BYTES,
  type VectorMetadataInput,
  vectorMetadata,
} from "../../lib/indexing/vector-metadata.js";

const PAGE = "11111111-1111-4111-8111-111111111111";
const DATABASE = "22222222-2222-4222-8222-222222222222";
const ROW = "33333333-3333-4333-8333-333333333333";

function input(overrides: Partial<VectorMetadataInput> = {}): VectorMetadataInput {
  return {
    document: {
      tenantId: "acme",
      datasetId: "handbook",
      documentId: "doc-1",
      dataSourceInfo: { workspaceId: "ws", pageId: PAGE, type: "page" },
    },
    chunk: { content: "text", sourceUrl: "https://www.notion.so/x#y", headingPath: ["A", "B"] },
    position: 0,
    title: "Runbook",
    type: "page",
    lastEditedTime: "2026-12-01T10:00:00.000Z",
    ...overrides,
  };
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

describe("vector metadata", () => {
  it("a page's chunk names the page and its edit time, and no database", () => {
    const metadata = vectorMetadata(input());
    expect(metadata).toMatchObject({ pageId: PAGE, lastEditedTime: Date.parse("2026-12-01T10:00:00.000Z") });
    expect(metadata).not.toHaveProperty("databaseId");
  });

  it("a row's chunk names the row's page, the database, the row's edit time and its properties", () => {
    const metadata = vectorMetadata(
      input({
        document: {
          ...input().document,
          dataSourceInfo: { workspaceId: "ws", pageId: DATABASE, type: "database" },
        },
        type: "database",
        chunk: { ...input().chunk, unit: ROW },
        units: {
          [ROW]: {
            lastEditedTime: "2026-11-30T08:00:00.000Z",
            properties: { Status: "Done", Tags: ["db", "payments"], Minutes: 95, Resolved: true },
          },
        },
      }),
    );
    expect(metadata).toMatchObject({
      pageId: ROW,
      databaseId: DATABASE,
      lastEditedTime: Date.parse("2026-11-30T08:00:00.000Z"),
      "prop:Status": "Done",
      "prop:Tags": ["db", "payments"],
      "prop:Minutes": 95,
      "prop:Resolved": true,
    });
    // The database's own text (its description) names the database as its page.
    const description = vectorMetadata(
      input({
        document: {
          ...input().document,
          dataSourceInfo: { workspaceId: "ws", pageId: DATABASE, type: "database" },
        },
        type: "database",
        chunk: { ...input().chunk, unit: DATABASE },
      }),
    );
    expect(description).toMatchObject({ pageId: DATABASE, databaseId: DATABASE });
  });

  it("stays under Pinecone's 40 KB in the worst case: longest text of 3-byte characters, huge title, path and properties", () => {
    const wide = "語".repeat(50_000);
    const properties: Record<string, FilterValue> = {};
    for (let i = 0; i < 100; i += 1) {
      properties[`${"名".repeat(200)}${i}`] = i % 2 === 0 ? wide : Array.from({ length: 100 }, () => wide);
    }
    const metadata = vectorMetadata(
      input({
        title: wide,
        type: "database",
        chunk: {
          content: wide,
          sourceUrl: `https://www.notion.so/${"x".repeat(200)}`,
          headingPath: Array(500).fill(wide),
          unit: ROW,
        },
        units: { [ROW]: { lastEditedTime: "2026-11-30T08:00:00.000Z", properties } },
      }),
    );
    expect(bytes(metadata)).toBeLessThan(PINECONE_METADATA_LIMIT_BYTES);
    expect(Buffer.byteLength(metadata.text)).toBeLessThanOrEqual(MAX_METADATA_TEXT_BYTES);
    expect(Buffer.byteLength(metadata.title)).toBeLessThanOrEqual(MAX_TITLE_BYTES);
    expect(bytes(metadata.headingPath)).toBeLessThanOrEqual(MAX_HEADING_PATH_BYTES);
    const kept = Object.entries(metadata).filter(([key]) => key.startsWith("prop:"));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(MAX_PROPERTIES);
    expect(bytes(Object.fromEntries(kept))).toBeLessThanOrEqual(MAX_PROPERTIES_BYTES);
    for (const [, value] of kept) {
      const items = Array.isArray(value) ? value : [value];
      expect(items.length).toBeLessThanOrEqual(MAX_PROPERTY_LIST_ITEMS);
      for (const item of items)
        expect(Buffer.byteLength(String(item))).toBeLessThanOrEqual(MAX_PROPERTY_STRING_BYTES);
    }
  });

  it("stays under it when the text is all characters JSON escapes (quotes, backslashes, control characters)", () => {
    for (const character of ["\\", '"', "\n", "\u0001"]) {
      const metadata = vectorMetadata(
        input({ chunk: { ...input().chunk, content: character.repeat(40_000) } }),
      );
      expect(bytes(metadata)).toBeLessThanOrEqual(MAX_METADATA_JSON_BYTES);
      expect(metadata.text.endsWith("…")).toBe(true);
      expect(metadata.text.length).toBeGreaterThan(1000);
    }
  });

  it("keeps at most 24 properties, in the row's order, and odd names as data", () => {
    const properties: Record<string, FilterValue> = { ["__proto__"]: "x", constructor: "y" };
    for (let i = 0; i < 40; i += 1) properties[`p${i}`] = i;
    const metadata = vectorMetadata(
      input({ type: "database", chunk: { ...input().chunk, unit: ROW }, units: { [ROW]: { properties } } }),
    );
    const keys = Object.keys(metadata).filter((key) => key.startsWith("prop:"));
    expect(keys).toHaveLength(MAX_PROPERTIES);
    expect(keys.slice(0, 3)).toEqual(["prop:__proto__", "prop:constructor", "prop:p0"]);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
  });

  it("cuts UTF-8 between characters, never inside a surrogate pair", () => {
    expect(cutUtf8("héllo", 2)).toBe("h");
    expect(cutUtf8("a😀b", 3)).toBe("a");
    expect(cutUtf8("a😀b", 5)).toBe("a😀");
    expect(cutUtf8("short", 100)).toBe("short");
  });
});
