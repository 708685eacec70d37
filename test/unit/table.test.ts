import { describe, expect, it } from "vitest";
import { type Column, formatTable, plural, wrap } from "../../lib/cli/table.js";

const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const columns = (): Column[] => [
  { header: "document", cells: [ID, ID] },
  { header: "dataset", cells: ["default", "handbook"], dropPriority: 3 },
  { header: "title", cells: ["A title that goes on for quite a while", "Short"], minWidth: 10 },
  { header: "status", cells: ["completed", "error"] },
  { header: "segments", cells: ["12", "3"], align: "right", dropPriority: 6 },
  { header: "cost", cells: ["$0.0001", "$0"], align: "right", dropPriority: 0 },
  {
    header: "error",
    cells: ["", "Notion refused the token: reconnect Notion"],
    minWidth: 12,
    dropPriority: 9,
  },
];

describe("tables that fit the terminal", () => {
  it("show everything when there is room", () => {
    const lines = formatTable(columns(), 200);
    expect(lines[0]).toMatch(/^document +dataset +title +status +segments +cost +error$/);
    expect(lines[1]).toContain("A title that goes on for quite a while");
  });

  it.each([80, 100, 60])(
    "fit %i columns: least important columns go first, then long cells shorten",
    (width) => {
      const lines = formatTable(columns(), width);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
      expect(lines[0]).toMatch(/^document +(dataset +)?title +status/);
      expect(lines[0]).not.toContain("cost");
      expect(lines[2]).toContain(ID);
    },
  );

  it("pad right-aligned figures and never colour the widths", () => {
    const styled = columns().map((column) =>
      column.header === "status"
        ? { ...column, style: (cell: string) => `\u001b[32m${cell}\u001b[0m` }
        : column,
    );
    const lines = formatTable(styled, 200);
    expect(lines[0]).not.toContain("\u001b[");
    expect(lines[1]).toContain("\u001b[32mcompleted\u001b[0m");
    const plain = formatTable(columns(), 200);
    expect(lines[1]?.replaceAll("\u001b[32m", "").replaceAll("\u001b[0m", "")).toBe(plain[1]);
  });
});

describe("plurals and wrapping", () => {
  it("say 1 document and 2 documents, with thousands separated", () => {
    expect(plural(1, "document")).toBe("1 document");
    expect(plural(2, "document")).toBe("2 documents");
    expect(plural(2271, "token")).toBe("2,271 tokens");
  });

  it("wrap prose at words within the width", () => {
    const lines = wrap("one two three four five six seven eight nine ten", 14);
    expect(lines).toEqual(["one two three", "four five six", "seven eight", "nine ten"]);
  });
});
