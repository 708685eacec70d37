/**
 * A database document, through its data sources (API 2025-09-03): every row of every page of each
 * data source's query. A row is one unit: its properties as `name: value` lines, then its page's
 * blocks, all linking to the row's page; the chunker never mixes two units in a chunk.
 */
import type { PageObjectResponse } from "@notionhq/client";
import { PermanentError } from "../errors.js";
import type { ExtractedDocument } from "../ports.js";
import { BlockWalk } from "./block-walk.js";
import { readingNotion } from "./malformed.js";
import { pageTitle, propertyLines } from "./properties.js";
import type { ExtractionLimits, NotionReader } from "./reader.js";
import { notionUrl } from "./render-blocks.js";
import { richTextToPlain } from "./rich-text.js";
import { TitleCache } from "./titles.js";
import { listOf, objectOf, textOf } from "./untrusted.js";

export function extractDatabase(
  reader: NotionReader,
  databaseId: string,
  limits: ExtractionLimits,
): Promise<ExtractedDocument> {
  return readingNotion(`database (${databaseId})`, async () => {
    const database = await reader.retrieveDatabase(databaseId);
    const titles = new TitleCache(reader, limits.maxTitleLookups);
    const walk = new BlockWalk("database", reader, limits, titles);
    const rows: PageObjectResponse[] = [];
    for (const dataSource of listOf<unknown>(database.data_sources)) {
      const dataSourceId = requireId(objectOf(dataSource)?.id, `a data source of database ${databaseId}`);
      for await (const row of dataSourceRows(reader, dataSourceId)) {
        walk.count();
        requireId(row.id, `a row of data source ${dataSourceId}`);
        rows.push(row);
        // Relations between rows of this database need no look-up.
        titles.remember(row.id, pageTitle(row));
      }
    }
    for (const row of rows) {
      const title = pageTitle(row);
      const url = textOf(row.url) || notionUrl(row.id);
      const lines = await propertyLines(row, titles);
      if (lines.length > 0) {
        walk.add({
          blockId: row.id,
          text: lines.join("\n"),
          headingPath: [title],
          sourceUrl: url,
          unit: row.id,
        });
      }
      await walk.walk(row.id, { url, unit: row.id, headingPath: [title] });
    }
    const url = textOf(database.url) || notionUrl(databaseId);
    return walk.document(richTextToPlain(database.title), url);
  });
}

/** An id the walk must follow: without it, the content under it cannot be read at all. */
function requireId(id: unknown, what: string): string {
  if (typeof id !== "string" || id === "") throw new PermanentError(`Notion returned ${what} without an id`);
  return id;
}

/**
 * Every row of a data source. One query reaches at most 10,000 results (Notion says so with
 * `request_status: incomplete`), so rows are read oldest-created first, and a query that was cut
 * short is followed by another from the last created_time read: windows overlap at that minute, and
 * rows already read there are skipped.
 */
async function* dataSourceRows(
  reader: NotionReader,
  dataSourceId: string,
): AsyncGenerator<PageObjectResponse> {
  let window: string | undefined;
  /** Rows read at the latest created_time: the next window starts at that time and repeats them. */
  let atBoundary = new Set<string>();
  for (;;) {
    let cursor: string | undefined;
    let incomplete = false;
    let last = window;
    do {
      const listing = await reader.queryDataSource(dataSourceId, cursor, window);
      incomplete ||= listing.incomplete === true;
      for (const row of listing.results) {
        if (atBoundary.has(row.id)) continue;
        const created = textOf(row.created_time);
        if (created !== last) atBoundary = new Set();
        atBoundary.add(row.id);
        last = created;
        yield row;
      }
      cursor = listing.nextCursor;
    } while (cursor !== undefined);
    if (!incomplete) return;
    if (last === window) {
      throw new PermanentError(
        `data source ${dataSourceId} has more rows created in one minute (${window}) than one Notion query returns`,
      );
    }
    window = last;
  }
}
