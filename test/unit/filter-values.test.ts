/** A row's properties as filter values: typed as Pinecone compares them; odd shapes give nothing. */
import { describe, expect, it } from "vitest";
import { filterValues } from "../../lib/adapters/notion/extraction/filter-values.js";

const text = (content: string) => [{ type: "text", plain_text: content, text: { content } }];

describe("filter values of a row", () => {
  it("types each property as a filter compares it, and leaves out what has no single value", () => {
    const values = filterValues({
      properties: {
        Name: { type: "title", title: text("Outage") },
        Status: { type: "status", status: { name: "Done" } },
        Severity: { type: "select", select: { name: "high" } },
        Tags: { type: "multi_select", multi_select: [{ name: "db" }, { name: "payments" }] },
        Notes: { type: "rich_text", rich_text: text("slow disk") },
        Minutes: { type: "number", number: 95 },
        Resolved: { type: "checkbox", checkbox: false },
        Due: { type: "date", date: { start: "2026-12-01" } },
        Created: { type: "created_time", created_time: "2026-11-30T08:00:00.000Z" },
        Id: { type: "unique_id", unique_id: { prefix: "INC", number: 12 } },
        Plain: { type: "unique_id", unique_id: { prefix: null, number: 7 } },
        Link: { type: "url", url: "https://example.com" },
        Score: { type: "formula", formula: { type: "number", number: 3.5 } },
        Late: { type: "formula", formula: { type: "boolean", boolean: true } },
        Owner: { type: "people", people: [{ id: "u1", name: "Ada" }] },
        Related: { type: "relation", relation: [{ id: "p1" }] },
      },
    });
    expect(Object.fromEntries(values)).toEqual({
      Status: "Done",
      Severity: "high",
      Tags: ["db", "payments"],
      Notes: "slow disk",
      Minutes: 95,
      Resolved: false,
      Due: Date.parse("2026-12-01"),
      Created: Date.parse("2026-11-30T08:00:00.000Z"),
      Id: "INC-12",
      Plain: "7",
      Link: "https://example.com",
      Score: 3.5,
      Late: true,
    });
  });

  it("reads empty and odd shapes as nothing, and never throws", () => {
    const values = filterValues({
      properties: {
        Empty: { type: "select", select: null },
        NoNumber: { type: "number", number: null },
        NaN: { type: "number", number: Number.NaN },
        BadDate: { type: "date", date: { start: "not a date" } },
        NoType: { select: { name: "x" } },
        NotObject: 5,
        Blank: { type: "rich_text", rich_text: text("   ") },
        Unknown: { type: "future_type", future_type: { value: 1 } },
      },
    });
    expect(values.size).toBe(0);
    expect(filterValues({}).size).toBe(0);
    expect(filterValues({ properties: "nope" }).size).toBe(0);
  });

  it("keeps property names such as __proto__ and constructor as data", () => {
    const properties = JSON.parse(
      '{"__proto__": {"type": "select", "select": {"name": "a"}}, "constructor": {"type": "checkbox", "checkbox": true}}',
    );
    const values = filterValues({ properties });
    expect([...values.keys()]).toEqual(["__proto__", "constructor"]);
  });
});
