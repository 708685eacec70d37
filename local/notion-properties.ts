/**
 * Database columns and row values for the stand-in's workspace: a row as plain values, turned into
 * the property shapes Notion gives (at most 25 references per relation or people value).
 */
import { createHash } from "node:crypto";
import { text } from "./notion-blocks.js";
import { normalizeId, propertyId } from "./notion-ids.js";

export type ColumnType =
  | "title"
  | "rich_text"
  | "select"
  | "multi_select"
  | "status"
  | "date"
  | "number"
  | "checkbox"
  | "url"
  | "email"
  | "people"
  | "relation";

/**
 * A row as plain values keyed by column name (strings, string[], number, boolean, {start,end}).
 * `people` values are names; `relation` values are the ids of the related pages.
 */
export type RowValues = Record<
  string,
  string | string[] | number | boolean | { start: string; end?: string }
>;

export interface Column {
  id: string;
  name: string;
  type: ColumnType;
}

export function selectOption(name: string) {
  return { id: propertyId(`option:${name}`), name, color: "default" };
}

export function columnSchema(column: Column): Record<string, unknown> {
  const config =
    column.type === "select" || column.type === "multi_select" || column.type === "status"
      ? { options: [] }
      : column.type === "number"
        ? { format: "number" }
        : column.type === "relation"
          ? { data_source_id: null, type: "single_property", single_property: {} }
          : {};
  return { id: column.id, name: column.name, description: null, type: column.type, [column.type]: config };
}

/** A row's value in the shape Notion gives page properties. */
export function propertyValue(column: Column, value: RowValues[string] | undefined): Record<string, unknown> {
  const shaped = { id: column.id, type: column.type };
  switch (column.type) {
    case "title":
    case "rich_text":
      return { ...shaped, [column.type]: typeof value === "string" && value !== "" ? [text(value)] : [] };
    case "select":
    case "status":
      return { ...shaped, [column.type]: typeof value === "string" ? selectOption(value) : null };
    case "multi_select":
      return { ...shaped, multi_select: Array.isArray(value) ? value.map(selectOption) : [] };
    case "date":
      return { ...shaped, date: dateValue(value) };
    case "number":
      return { ...shaped, number: typeof value === "number" ? value : null };
    case "checkbox":
      return { ...shaped, checkbox: value === true };
    case "url":
    case "email":
      return { ...shaped, [column.type]: typeof value === "string" ? value : null };
    // Notion returns at most 25 references per property value; the rest only through the page
    // property endpoint (a relation says so with has_more).
    case "people":
      return {
        ...shaped,
        people: Array.isArray(value) ? value.slice(0, MAX_REFERENCES).map(person) : [],
      };
    case "relation":
      return {
        ...shaped,
        relation: Array.isArray(value) ? value.slice(0, MAX_REFERENCES).map((id) => ({ id })) : [],
        has_more: Array.isArray(value) && value.length > MAX_REFERENCES,
      };
  }
}

/** References Notion returns in one relation or people property value. */
export const MAX_REFERENCES = 25;

/** A workspace member as a people property shows them. */
export function person(name: string) {
  const id = createHash("sha1").update(`person:${name}`).digest("hex").slice(0, 32);
  return {
    object: "user",
    id: normalizeId(id),
    name,
    avatar_url: null,
    type: "person",
    person: { email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, ".")}@example.com` },
  };
}

export function dateValue(value: RowValues[string] | undefined): Record<string, unknown> | null {
  if (typeof value === "string") return { start: value, end: null, time_zone: null };
  if (typeof value === "object" && !Array.isArray(value)) {
    return { start: value.start, end: value.end ?? null, time_zone: null };
  }
  return null;
}
