import { describe, expect, it } from "vitest";
import type { Document } from "../../lib/core/model.js";
import { pageCheckReason, rowsEditedSince } from "../../lib/sync/plan-sweep.js";

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

describe("pageCheckReason", () => {
  it("checks only what may have changed, with the reason", () => {
    const listed: [Document, string][] = [
      [page("same"), EDITED],
      [page("edited"), "2026-11-28T11:00:00.000Z"],
      [page("minute", {}, { contentReadAt: "2026-11-28T10:15:40.000Z" }), EDITED],
      [page("restored", { archived: true, indexingStatus: "archived" }), EDITED],
      [page("failed", { indexingStatus: "error" }), EDITED],
    ];
    expect(
      listed.map(([document, time]) => [document.dataSourceInfo.pageId, pageCheckReason(document, time)]),
    ).toEqual([
      ["same", undefined],
      ["edited", "edited"],
      ["minute", "read-in-edit-minute"],
      ["restored", "restored"],
      ["failed", "not-indexed"],
    ]);
  });
});

describe("rowsEditedSince", () => {
  it("asks for rows edited from the minute the database's content was read in", () => {
    const database = page("db", {}, { type: "database", contentReadAt: "2026-11-28T10:20:35.500Z" });
    expect(rowsEditedSince(database)).toBe("2026-11-28T10:20:00.000Z");
  });

  it("has no `since` for a database that was never indexed", () => {
    const database = page("db", { indexingStatus: "waiting" }, { type: "database" });
    expect(rowsEditedSince(database)).toBeUndefined();
  });
});
