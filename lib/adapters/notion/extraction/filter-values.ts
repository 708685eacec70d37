/**
 * A row's properties as values Pinecone's metadata filters compare (the retrieval API's `properties`
 * filter): text-like types as strings, multi-select as a list of strings, numbers, checkboxes as
 * booleans, dates and times as epoch milliseconds, a formula by its result. Types with no single
 * value to compare (people, relations, rollups, files, buttons, the title) are left out. Read
 * defensively, like ./properties.ts: an odd shape yields nothing, never an error. The bounds on how
 * much is kept are the index run's (lib/indexing/vector-metadata.ts).
 */
import type { FilterValue } from "../../../core/ports.js";
import { richTextToLabel } from "./rich-text.js";
import { listOf, objectOf, textOf } from "./untrusted.js";

/** Property name → value, in the row's property order. A Map: names such as `__proto__` are data. */
export function filterValues(row: { properties?: unknown }): Map<string, FilterValue> {
  const values = new Map<string, FilterValue>();
  for (const [name, raw] of Object.entries(objectOf(row.properties) ?? {})) {
    const property = objectOf(raw);
    if (property === undefined) continue;
    const value = typedValue(textOf(property.type), property);
    if (value !== undefined) values.set(name, value);
  }
  return values;
}

function typedValue(type: string, property: Record<string, unknown>): FilterValue | undefined {
  const value = property[type];
  switch (type) {
    case "select":
    case "status":
      return nonEmpty(textOf(objectOf(value)?.name));
    case "multi_select": {
      const names = listOf<unknown>(value)
        .map((option) => textOf(objectOf(option)?.name))
        .filter((name) => name !== "");
      return names.length > 0 ? names : undefined;
    }
    case "rich_text":
      // The text as it reads, without link markup: `{"Notes": "see docs"}` must match a linked "see docs".
      return nonEmpty(richTextToLabel(listOf(value)));
    case "url":
    case "email":
    case "phone_number":
      return nonEmpty(textOf(value));
    case "number":
      return finite(value);
    case "checkbox":
      return typeof value === "boolean" ? value : undefined;
    case "date":
      return epochMs(objectOf(value)?.start);
    case "created_time":
    case "last_edited_time":
      return epochMs(value);
    case "unique_id": {
      const id = objectOf(value);
      const number = finite(id?.number);
      if (number === undefined) return undefined;
      const prefix = textOf(id?.prefix);
      return prefix ? `${prefix}-${number}` : String(number);
    }
    case "formula":
      return formulaValue(objectOf(value));
    default:
      return undefined;
  }
}

function formulaValue(formula: Record<string, unknown> | undefined): FilterValue | undefined {
  switch (formula?.type) {
    case "string":
      return nonEmpty(textOf(formula.string));
    case "number":
      return finite(formula.number);
    case "boolean":
      return typeof formula.boolean === "boolean" ? formula.boolean : undefined;
    case "date":
      return epochMs(objectOf(formula.date)?.start);
    default:
      return undefined;
  }
}

function nonEmpty(text: string): string | undefined {
  return text.trim() === "" ? undefined : text;
}

function finite(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** An ISO date or date-time as epoch ms (a date alone is midnight UTC). */
function epochMs(value: unknown): number | undefined {
  const time = Date.parse(textOf(value));
  return Number.isFinite(time) ? time : undefined;
}
