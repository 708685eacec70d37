import { describe, expect, it } from "vitest";
import type { Document } from "../../lib/model.js";
import { buildListing, databaseRowQuery, planPageChecks } from "../../lib/sync/plan-sweep.js";

const EDITED = "2026-11-28T10:15:00.000Z";

function page(
  id: string,
  overrides: Partial<Document> = {},
  info: Partial<Document["dataSourceInfo"]> = {},
): Document {
  return {
    tenantId: "t",
    datasetId: "d",
    documentId: `doc-${id}`,
    title: id,
    dataSourceType: "notion_import",
    dataSourceInfo: {
      workspaceId: "w",
      pageId: id,
      type: "page",
      lastEditedTime: EDITED,
      contentReadAt: "2026-11-28T10:20:00.000Z",
      ...info,
    },
    indexingStatus: "completed",
    generation: 1,
    createdAt: EDITED,
    isPaused: false,
    wordCount: 1,
    tokens: 1,
    segmentCount: 1,
    enabled: true,
    archived: false,
    ...overrides,
  };
}

const listing = buildListing([
  { object: "page", id: "same", lastEditedTime: EDITED },
  { object: "page", id: "edited", lastEditedTime: "2026-11-28T11:00:00.000Z" },
  { object: "page", id: "minute", lastEditedTime: EDITED },
  { object: "page", id: "restored", lastEditedTime: EDITED },
  { object: "page", id: "failed", lastEditedTime: EDITED },
  { object: "data_source", id: "ds-1", databaseId: "db", lastEditedTime: EDITED },
  { object: "page", id: "unregistered", lastEditedTime: EDITED },
]);

describe("planPageChecks", () => {
  it("checks only what may have changed, with the reason", () => {
    const documents = [
      page("same"),
      page("edited"),
      page("minute", {}, { contentReadAt: "2026-11-28T10:15:40.000Z" }),
      page("gone"),
      page("trashed-before", { archived: true, indexingStatus: "archived" }),
      page("restored", { archived: true, indexingStatus: "archived" }),
      page("failed", { indexingStatus: "error" }),
      page("db", {}, { type: "database" }),
    ];

    const { checks, databases } = planPageChecks(documents, listing);

    expect(checks.map((check) => [check.document.dataSourceInfo.pageId, check.reason])).toEqual([
      ["edited", "edited"],
      ["minute", "read-in-edit-minute"],
      ["gone", "absent"],
      ["restored", "restored"],
      ["failed", "not-indexed"],
    ]);
    expect(databases.map((document) => document.dataSourceInfo.pageId)).toEqual(["db"]);
  });
});

describe("databaseRowQuery", () => {
  it("queries the database's data sources from the minute its content was read in", () => {
    const database = page("db", {}, { type: "database", contentReadAt: "2026-11-28T10:20:35.500Z" });
    expect(databaseRowQuery(database, listing)).toEqual({
      dataSourceIds: ["ds-1"],
      since: "2026-11-28T10:20:00.000Z",
    });
  });

  it("has no `since` for a database that was never indexed", () => {
    const database = page("db", { indexingStatus: "waiting" }, { type: "database" });
    expect(databaseRowQuery(database, listing).since).toBeUndefined();
  });
});
