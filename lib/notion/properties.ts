/**
 * A page's properties as `name: value` lines: a database row reads as a small record. Relations show
 * the titles of the related pages where they are cheap to know (see TitleCache).
 */
import type { PageObjectResponse } from "@notionhq/client";
import { richTextToPlain } from "./rich-text.js";
import type { TitleCache } from "./titles.js";

type PropertyValue = PageObjectResponse["properties"][string];

export function pageTitle(page: PageObjectResponse): string {
  for (const property of Object.values(page.properties)) {
    if (property.type === "title") return richTextToPlain(property.title);
  }
  return "";
}

/** One line per non-empty property, the title's first. */
export async function propertyLines(page: PageObjectResponse, titles: TitleCache): Promise<string[]> {
  const entries = Object.entries(page.properties);
  const ordered = [
    ...entries.filter(([, property]) => property.type === "title"),
    ...entries.filter(([, property]) => property.type !== "title"),
  ];
  const lines: string[] = [];
  for (const [name, property] of ordered) {
    const value =
      property.type === "relation" ? await relationText(property, titles) : propertyText(property);
    if (value !== undefined && value !== "") lines.push(`${name}: ${value}`);
  }
  return lines;
}

function propertyText(property: PropertyValue): string | undefined {
  switch (property.type) {
    case "title":
      return richTextToPlain(property.title);
    case "rich_text":
      return richTextToPlain(property.rich_text);
    case "select":
      return property.select?.name;
    case "status":
      return property.status?.name;
    case "multi_select":
      return property.multi_select.map((option) => option.name).join(", ");
    case "date":
      return dateText(property.date);
    case "number":
      return property.number === null ? undefined : String(property.number);
    case "checkbox":
      return property.checkbox ? "yes" : "no";
    case "url":
      return property.url ?? undefined;
    case "email":
      return property.email ?? undefined;
    case "phone_number":
      return property.phone_number ?? undefined;
    case "people":
      return property.people
        .map((person) => ("name" in person && person.name ? person.name : ""))
        .filter((name) => name !== "")
        .join(", ");
    case "files":
      return property.files.map((file) => file.name).join(", ");
    case "unique_id":
      return property.unique_id.number === null
        ? undefined
        : `${property.unique_id.prefix ? `${property.unique_id.prefix}-` : ""}${property.unique_id.number}`;
    case "formula":
      return formulaText(property.formula);
    default:
      return undefined;
  }
}

function dateText(date: { start: string; end: string | null } | null): string | undefined {
  if (date === null) return undefined;
  return date.end ? `${date.start} → ${date.end}` : date.start;
}

function formulaText(formula: Extract<PropertyValue, { type: "formula" }>["formula"]): string | undefined {
  switch (formula.type) {
    case "string":
      return formula.string ?? undefined;
    case "number":
      return formula.number === null ? undefined : String(formula.number);
    case "boolean":
      return formula.boolean === null ? undefined : formula.boolean ? "yes" : "no";
    case "date":
      return dateText(formula.date);
    default:
      return undefined;
  }
}

/** Titles of the related pages that can be named; `…` when Notion says there are more. */
async function relationText(
  property: Extract<PropertyValue, { type: "relation" }>,
  titles: TitleCache,
): Promise<string> {
  const names: string[] = [];
  for (const { id } of property.relation) {
    const title = await titles.title({ type: "page", id });
    if (title) names.push(title);
  }
  // The API sends `has_more` past 25 related pages, though the client's types leave it out.
  if ("has_more" in property && property.has_more === true) names.push("…");
  return names.join(", ");
}
