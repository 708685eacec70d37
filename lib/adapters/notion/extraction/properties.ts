/**
 * A page's properties as `name: value` lines: a database row reads as a small record. Relations show
 * the titles of the related pages where they are cheap to know (see TitleCache). Properties are read
 * defensively (untrusted.ts): one of an odd shape reads as empty, it never fails the row.
 */
import type { PageObjectResponse } from "@notionhq/client";
import { label } from "./labels.js";
import type { NotionReader } from "./reader.js";
import { richTextToLabel, richTextToPlain } from "./rich-text.js";
import type { TitleCache } from "./titles.js";
import { listOf, notionIdOf, objectOf, textOf } from "./untrusted.js";

type PropertyValue = PageObjectResponse["properties"][string];

/** The page's properties that are objects, by name (a page of an odd shape has none). */
function propertiesOf(page: PageObjectResponse): [string, PropertyValue][] {
  const properties = objectOf((page as { properties?: unknown }).properties) ?? {};
  return Object.entries(properties).filter(
    (entry): entry is [string, PropertyValue] => objectOf(entry[1]) !== undefined,
  );
}

/** The title property's text, as a label (well-formed, bounded: it is repeated in every segment). */
export function pageTitle(page: PageObjectResponse): string {
  for (const [, property] of propertiesOf(page)) {
    if (property.type === "title") return label(richTextToLabel(property.title));
  }
  return "";
}

/** One line per non-empty property, the title's first. */
export async function propertyLines(
  page: PageObjectResponse,
  titles: TitleCache,
  reader: NotionReader,
): Promise<string[]> {
  const entries = propertiesOf(page);
  const ordered = [
    ...entries.filter(([, property]) => property.type === "title"),
    ...entries.filter(([, property]) => property.type !== "title"),
  ];
  const lines: string[] = [];
  for (const [name, property] of ordered) {
    const value =
      property.type === "relation"
        ? await relationText(page.id, property, titles, reader)
        : property.type === "people"
          ? await peopleText(page.id, property, reader)
          : propertyText(property);
    if (value !== undefined && value !== "") lines.push(`${name}: ${value}`);
  }
  return lines;
}

/**
 * A property as a person reads it in Notion. A `button` property is left out: it is an action, with
 * no value to read. A value of a type this version does not know reads as nothing.
 */
function propertyText(property: PropertyValue): string | undefined {
  switch (property.type) {
    case "title":
      return richTextToPlain(property.title);
    case "rich_text":
      return richTextToPlain(property.rich_text);
    case "select":
      return textOf(property.select?.name);
    case "status":
      return textOf(property.status?.name);
    case "multi_select":
      return names(property.multi_select);
    case "date":
      return dateText(property.date);
    case "number":
      return numberText(property.number);
    case "checkbox":
      return property.checkbox === true ? "yes" : "no";
    case "url":
      return textOf(property.url);
    case "email":
      return textOf(property.email);
    case "phone_number":
      return textOf(property.phone_number);
    case "people":
      return names(property.people);
    case "files":
      return names(property.files);
    case "unique_id": {
      const number = numberText(property.unique_id?.number);
      const prefix = textOf(property.unique_id?.prefix);
      return number === undefined ? undefined : `${prefix ? `${prefix}-` : ""}${number}`;
    }
    case "formula":
      return formulaText(property.formula);
    case "rollup":
      return rollupText(property.rollup);
    case "created_time":
      return textOf(property.created_time) || undefined;
    case "last_edited_time":
      return textOf(property.last_edited_time) || undefined;
    case "created_by":
      return userName(property.created_by);
    case "last_edited_by":
      return userName(property.last_edited_by);
    default:
      return newerPropertyText(property as { type: string } & Record<string, unknown>);
  }
}

/** Types the client's types do not describe yet, read from the API's documented shapes. */
function newerPropertyText(property: { type: string } & Record<string, unknown>): string | undefined {
  const value = objectOf(property[property.type]);
  switch (property.type) {
    case "verification": {
      // { state: verified | unverified | expired, verified_by, date: { start, end } }
      const state = textOf(value?.state);
      if (state === "" || state === "unverified") return state || undefined;
      const by = userName(value?.verified_by);
      const until = textOf(objectOf(value?.date)?.end);
      return [state, by ? `by ${by}` : "", until ? `until ${until}` : ""].filter(Boolean).join(" ");
    }
    case "place": {
      // { name, address, lat, lon }: what Notion shows is the place's name, else its address.
      const name = textOf(value?.name);
      const address = textOf(value?.address);
      return [name, address].filter(Boolean).join(", ") || undefined;
    }
    default:
      return undefined;
  }
}

/** A user as Notion shows them: their name (a bot or a user the integration cannot see has none). */
function userName(user: unknown): string | undefined {
  return textOf(objectOf(user)?.name) || undefined;
}

/** A rollup's value: a number, a date, or a list of property values shown side by side. */
function rollupText(rollup: unknown): string | undefined {
  const value = objectOf(rollup);
  switch (value?.type) {
    case "number":
      return numberText(value.number);
    case "date":
      return dateText(value.date);
    case "array":
      return (
        listOf<unknown>(value.array)
          .map((item) => {
            const element = objectOf(item);
            return element === undefined ? undefined : propertyText(element as PropertyValue);
          })
          .filter((text): text is string => text !== undefined && text !== "")
          .join(", ") || undefined
      );
    default:
      return undefined;
  }
}

/** The non-empty `name`s of a list of options, people or files. */
function names(items: unknown): string {
  return listOf<unknown>(items)
    .map((item) => textOf(objectOf(item)?.name))
    .filter((name) => name !== "")
    .join(", ");
}

function numberText(value: unknown): string | undefined {
  return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
}

function dateText(value: unknown): string | undefined {
  const date = objectOf(value);
  const start = textOf(date?.start);
  if (start === "") return undefined;
  const end = textOf(date?.end);
  return end ? `${start} → ${end}` : start;
}

function formulaText(formula: Extract<PropertyValue, { type: "formula" }>["formula"]): string | undefined {
  switch (formula?.type) {
    case "string":
      return textOf(formula.string) || undefined;
    case "number":
      return numberText(formula.number);
    case "boolean":
      return typeof formula.boolean === "boolean" ? (formula.boolean ? "yes" : "no") : undefined;
    case "date":
      return dateText(formula.date);
    default:
      return undefined;
  }
}

/** References a page object shows per relation or people value; past them, the property is read whole. */
const SHOWN_REFERENCES = 25;

/** Every item of a page property, across its pages (the page-property endpoint). */
async function allPropertyItems(
  reader: NotionReader,
  pageId: string,
  propertyId: string,
): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | undefined;
  do {
    const page = await reader.listPropertyItems(pageId, propertyId, cursor);
    items.push(...page.results);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return items;
}

/** Titles of the related pages that can be named, every one of them (read whole past 25). */
async function relationText(
  pageId: string,
  property: Extract<PropertyValue, { type: "relation" }>,
  titles: TitleCache,
  reader: NotionReader,
): Promise<string> {
  // The API sends `has_more` past 25 related pages, though the client's types leave it out.
  const more = "has_more" in property && property.has_more === true;
  const related = more
    ? (await allPropertyItems(reader, pageId, property.id)).map((item) => objectOf(objectOf(item)?.relation))
    : listOf<unknown>(property.relation).map(objectOf);
  const names: string[] = [];
  for (const reference of related) {
    const id = notionIdOf(reference?.id);
    if (id === undefined) continue;
    const title = await titles.title({ type: "page", id });
    if (title) names.push(title);
  }
  return names.join(", ");
}

/** People's names; a value showing 25 may hold more, so it is read whole through the endpoint. */
async function peopleText(
  pageId: string,
  property: Extract<PropertyValue, { type: "people" }>,
  reader: NotionReader,
): Promise<string> {
  const shown = listOf<unknown>(property.people);
  if (shown.length < SHOWN_REFERENCES) return names(shown);
  const items = await allPropertyItems(reader, pageId, property.id);
  return names(items.map((item) => objectOf(item)?.people));
}
