/**
 * A database document, through its data sources (API 2025-09-03): every row of every page of each
 * data source's query. A row is one unit: its properties as `name: value` lines, then its page's
 * blocks, all linking to the row's page; the chunker never mixes two units in a chunk.
 */
import type { PageObjectResponse } from "@notionhq/client";
import type { ExtractedDocument } from "../ports.js";
import { BlockWalk } from "./block-walk.js";
import { pageTitle, propertyLines } from "./properties.js";
import type { ExtractionLimits, NotionReader } from "./reader.js";
import { richTextToPlain } from "./rich-text.js";
import { TitleCache } from "./titles.js";

export async function extractDatabase(
  reader: NotionReader,
  databaseId: string,
  limits: ExtractionLimits,
): Promise<ExtractedDocument> {
  const database = await reader.retrieveDatabase(databaseId);
  const titles = new TitleCache(reader, limits.maxTitleLookups);
  const walk = new BlockWalk("database", reader, limits, titles);
  const rows: PageObjectResponse[] = [];
  for (const dataSource of database.data_sources) {
    for await (const row of dataSourceRows(reader, dataSource.id)) {
      walk.count();
      rows.push(row);
      // Relations between rows of this database need no look-up.
      titles.remember(row.id, pageTitle(row));
    }
  }
  for (const row of rows) {
    const title = pageTitle(row);
    const lines = await propertyLines(row, titles);
    if (lines.length > 0) {
      walk.add({
        blockId: row.id,
        text: lines.join("\n"),
        headingPath: [title],
        sourceUrl: row.url,
        unit: row.id,
      });
    }
    await walk.walk(row.id, { url: row.url, unit: row.id, headingPath: [title] });
  }
  return walk.document(richTextToPlain(database.title), database.url);
}

async function* dataSourceRows(
  reader: NotionReader,
  dataSourceId: string,
): AsyncGenerator<PageObjectResponse> {
  let cursor: string | undefined;
  do {
    const listing = await reader.queryDataSource(dataSourceId, cursor);
    yield* listing.results;
    cursor = listing.nextCursor;
  } while (cursor !== undefined);
}
