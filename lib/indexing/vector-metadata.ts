/**
 * One vector's metadata: what a query returns (text, title, heading path, source link) and what the
 * retrieval API filters on (page, database, edit time, a row's properties). Pinecone allows 40 KB of
 * metadata per vector; the text takes up to 32 KB (./metadata-text.ts), so everything else is
 * bounded here to stay well under the limit whatever the page holds.
 */
import type { Chunk } from "../chunking/split.js";
import type { Document, NotionObjectType } from "../core/model.js";
import type { FilterValue, UnitFacts, VectorMetadata } from "../core/ports.js";
import { metadataText } from "./metadata-text.js";

/** Pinecone's limit, for the tests that prove the bounds below keep to it. */
export const PINECONE_METADATA_LIMIT_BYTES = 40 * 1024;
export const MAX_TITLE_BYTES = 1024;
/** The heading path's JSON, at most. */
export const MAX_HEADING_PATH_BYTES = 2048;
/** Properties kept per row, in the row's order. */
export const MAX_PROPERTIES = 24;
/** A property string (and each item of a list), at most. */
export const MAX_PROPERTY_STRING_BYTES = 256;
export const MAX_PROPERTY_LIST_ITEMS = 20;
/** The JSON of all kept properties, at most. */
export const MAX_PROPERTIES_BYTES = 4096;

export interface VectorMetadataInput {
  document: Pick<Document, "tenantId" | "datasetId" | "documentId" | "dataSourceInfo">;
  chunk: Pick<Chunk, "content" | "sourceUrl" | "headingPath" | "unit">;
  position: number;
  title: string;
  /** The object's type and `last_edited_time` as read for this run. */
  type: NotionObjectType;
  lastEditedTime: string;
  /** Row facts by unit (database documents). */
  units?: Record<string, UnitFacts>;
}

/** The whole metadata's JSON, at most: a margin under Pinecone's limit. */
export const MAX_METADATA_JSON_BYTES = 39 * 1024;
export const MAX_SOURCE_BYTES = 2048;

/**
 * The metadata, bounded. The text's 32 KB are UTF-8 bytes, but Pinecone counts the JSON, where a
 * quote, a backslash or a newline takes two bytes and a control character six: when the JSON is over
 * MAX_METADATA_JSON_BYTES, the text is cut further until it fits.
 */
export function vectorMetadata(input: VectorMetadataInput): VectorMetadata {
  const metadata = unboundedTextMetadata(input);
  for (;;) {
    const excess = Buffer.byteLength(JSON.stringify(metadata), "utf8") - MAX_METADATA_JSON_BYTES;
    const text = metadata.text.endsWith("…") ? metadata.text.slice(0, -1) : metadata.text;
    if (excess <= 0 || text === "") return metadata;
    // Keep the share of the text that fits, as its JSON weighs now (escapes are usually spread
    // evenly); the loop checks again, and the text only gets shorter.
    const textBytes = Buffer.byteLength(text, "utf8");
    const textJsonBytes = Buffer.byteLength(JSON.stringify(text), "utf8");
    const share = Math.max(0, (textJsonBytes - excess) / textJsonBytes);
    metadata.text = `${cutUtf8(text, Math.max(0, Math.min(textBytes - 1, Math.floor(textBytes * share) - 8)))}…`;
  }
}

function unboundedTextMetadata(input: VectorMetadataInput): VectorMetadata {
  const { document, chunk } = input;
  const info = document.dataSourceInfo;
  const isDatabase = input.type === "database";
  const unit = chunk.unit === undefined ? undefined : input.units?.[chunk.unit];
  const edited = Date.parse(unit?.lastEditedTime ?? input.lastEditedTime);
  return {
    tenantId: document.tenantId,
    datasetId: document.datasetId,
    documentId: document.documentId,
    position: input.position,
    text: metadataText(chunk.content),
    title: cutUtf8(input.title, MAX_TITLE_BYTES),
    source: cutUtf8(chunk.sourceUrl, MAX_SOURCE_BYTES),
    headingPath: boundedHeadingPath(chunk.headingPath),
    // A row's chunks name the row's own page; the rest of a database (its description) the database.
    pageId: isDatabase ? (chunk.unit ?? info.pageId) : info.pageId,
    ...(isDatabase ? { databaseId: info.pageId } : {}),
    ...(Number.isFinite(edited) ? { lastEditedTime: edited } : {}),
    ...propertyMetadata(unit?.properties),
  };
}

/** The row's properties as `prop:<name>` keys, within the bounds above. */
function propertyMetadata(
  properties: Record<string, FilterValue> | undefined,
): Record<`prop:${string}`, FilterValue> {
  const kept: Record<`prop:${string}`, FilterValue> = Object.create(null);
  let bytes = 2;
  let count = 0;
  for (const [name, raw] of Object.entries(properties ?? {})) {
    if (count === MAX_PROPERTIES) break;
    const key = `prop:${cutUtf8(name, MAX_PROPERTY_STRING_BYTES)}` as const;
    const value = boundedValue(raw);
    if (value === undefined) continue;
    const entryBytes = Buffer.byteLength(JSON.stringify({ [key]: value })) - 1;
    if (bytes + entryBytes > MAX_PROPERTIES_BYTES) break;
    kept[key] = value;
    bytes += entryBytes;
    count += 1;
  }
  return { ...kept };
}

function boundedValue(value: FilterValue): FilterValue | undefined {
  if (typeof value === "string") return cutUtf8(value, MAX_PROPERTY_STRING_BYTES);
  if (Array.isArray(value)) {
    const items = value
      .filter((item): item is string => typeof item === "string")
      .slice(0, MAX_PROPERTY_LIST_ITEMS)
      .map((item) => cutUtf8(item, MAX_PROPERTY_STRING_BYTES));
    return items.length > 0 ? items : undefined;
  }
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  return typeof value === "boolean" ? value : undefined;
}

function boundedHeadingPath(path: string[]): string[] {
  const kept: string[] = [];
  let bytes = 2;
  for (const heading of path) {
    const entry = cutUtf8(heading, MAX_TITLE_BYTES);
    const entryBytes = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (bytes + entryBytes > MAX_HEADING_PATH_BYTES) break;
    kept.push(entry);
    bytes += entryBytes;
  }
  return kept;
}

/** The longest prefix within `maxBytes` of UTF-8, never cutting a surrogate pair. */
export function cutUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return "";
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const cut = Buffer.from(text, "utf8").subarray(0, maxBytes).toString("utf8");
  // A character cut in two decodes as U+FFFD at the end: drop it.
  return cut.endsWith("\uFFFD") && !text.startsWith(cut) ? cut.slice(0, -1) : cut;
}
