/**
 * A database document, through its data sources (API 2025-09-03): every row of every data source,
 * then each row's blocks. A row is one unit: its properties as `name: value` lines, then its page's
 * blocks, all linking to the row's page; the chunker never mixes two units in a chunk.
 *
 * One query reaches at most 10,000 results (Notion says so with `request_status: incomplete`), so
 * rows are read oldest-created first, and a query that was cut short is followed by another from the
 * last created_time read: windows overlap at that minute, and rows already read there are skipped.
 *
 * It can pause between two reads and resume from the checkpoint it hands back.
 */
import type { PageObjectResponse } from "@notionhq/client";
import { type ExtractionControl, ExtractionSuspended } from "../../../core/extraction-control.js";
import type { ExtractedDocument, FilterValue, UnitFacts } from "../../../core/ports.js";
import { PermanentError } from "../../../shared/errors.js";
import { BlockWalk } from "./block-walk.js";
import { type NotionCheckpoint, type RowOfDatabase, type RowsState, resumePoint } from "./checkpoint.js";
import { filterValues } from "./filter-values.js";
import { label } from "./labels.js";
import { readingNotion } from "./malformed.js";
import { pageTitle, propertyLines } from "./properties.js";
import type { ExtractionLimits, NotionReader } from "./reader.js";
import { notionUrl } from "./render-blocks.js";
import { richTextToLabel, richTextToPlain } from "./rich-text.js";
import { TitleCache } from "./titles.js";
import { listOf, objectOf, textOf } from "./untrusted.js";

export function extractDatabase(
  reader: NotionReader,
  databaseId: string,
  limits: ExtractionLimits,
  control: ExtractionControl = {},
): Promise<ExtractedDocument> {
  return readingNotion(`database (${databaseId})`, async () => {
    const saved = resumePoint(control, "database");
    const pause = control.pause ?? (() => false);
    let title: string;
    let url: string;
    let rows: RowsState;
    /** What Notion shows under the title: the document's first block (read once, kept in the walk). */
    let description = "";
    if (saved?.rows !== undefined) {
      ({ title, url, rows } = { ...saved, rows: saved.rows });
    } else {
      const database = await reader.retrieveDatabase(databaseId);
      title = label(richTextToLabel(database.title));
      description = richTextToPlain(listOf((database as { description?: unknown }).description));
      url = textOf(database.url) || notionUrl(databaseId);
      const dataSourceIds = listOf<unknown>(database.data_sources).map((dataSource) =>
        requireId(objectOf(dataSource)?.id, `a data source of database ${databaseId}`),
      );
      rows = {
        dataSourceIds,
        dataSourceIndex: 0,
        atBoundary: [],
        incomplete: false,
        collected: [],
        walked: 0,
        walking: false,
      };
    }
    const titles = new TitleCache(reader, limits.maxTitleLookups, saved?.titles);
    const walk = new BlockWalk("database", reader, limits, titles, saved?.walk);
    if (description.trim() !== "") {
      walk.add({ blockId: databaseId, text: description, headingPath: [], sourceUrl: url, unit: databaseId });
    }
    const suspended = (): ExtractionSuspended => {
      const checkpoint: NotionCheckpoint = {
        version: 1,
        subject: "database",
        notionId: databaseId,
        blocksRead: walk.state().seen,
        title,
        url,
        titles: titles.state(),
        walk: walk.state(),
        rows,
      };
      return new ExtractionSuspended(checkpoint);
    };

    while (rows.dataSourceIndex < rows.dataSourceIds.length) {
      if (pause()) throw suspended();
      await readRows(reader, rows, walk, titles);
    }
    while (rows.walked < rows.collected.length) {
      const row = rows.collected[rows.walked] as RowOfDatabase;
      const rowTitle = pageTitle(row as PageObjectResponse);
      const rowUrl = textOf(row.url) || notionUrl(row.id);
      let outcome: "done" | "paused";
      if (rows.walking) {
        outcome = await walk.resume(pause);
      } else {
        if (pause()) throw suspended();
        const lines = await propertyLines(row as PageObjectResponse, titles, reader);
        if (lines.length > 0) {
          walk.add({
            blockId: row.id,
            text: lines.join("\n"),
            headingPath: [rowTitle],
            sourceUrl: rowUrl,
            unit: row.id,
          });
        }
        rows.walking = true;
        outcome = await walk.walk(row.id, { url: rowUrl, unit: row.id, headingPath: [rowTitle] }, pause);
      }
      if (outcome === "paused") throw suspended();
      rows.walking = false;
      rows.walked += 1;
    }
    return {
      ...walk.document(title, url),
      dataSourceIds: rows.dataSourceIds,
      units: unitsOf(rows.collected),
    };
  });
}

/** One query's page of rows, into `rows`; moves to the next window or data source when one ends. */
async function readRows(
  reader: NotionReader,
  rows: RowsState,
  walk: BlockWalk,
  titles: TitleCache,
): Promise<void> {
  const dataSourceId = rows.dataSourceIds[rows.dataSourceIndex] as string;
  const listing = await reader.queryDataSource(dataSourceId, rows.cursor, rows.window);
  rows.incomplete ||= listing.incomplete === true;
  for (const row of listing.results) {
    if (rows.atBoundary.includes(row.id)) continue;
    walk.count("row");
    requireId(row.id, `a row of data source ${dataSourceId}`);
    const created = textOf(row.created_time);
    if (created !== rows.last) rows.atBoundary = [];
    rows.atBoundary.push(row.id);
    rows.last = created;
    rows.collected.push({
      object: row.object,
      id: row.id,
      url: row.url,
      created_time: row.created_time,
      last_edited_time: row.last_edited_time,
      properties: row.properties,
    });
    // Relations between rows of this database need no look-up.
    titles.remember(row.id, pageTitle(row));
  }
  rows.cursor = listing.nextCursor;
  if (rows.cursor !== undefined) return;
  if (rows.incomplete) {
    if (rows.last === rows.window) {
      throw new PermanentError(
        `data source ${dataSourceId} has more rows created in one minute (${rows.window}) than one Notion query returns`,
      );
    }
    rows.window = rows.last;
    rows.incomplete = false;
    return;
  }
  rows.dataSourceIndex += 1;
  rows.window = undefined;
  rows.last = undefined;
  rows.atBoundary = [];
}

/** An id the walk must follow: without it, the content under it cannot be read at all. */
function requireId(id: unknown, what: string): string {
  if (typeof id !== "string" || id === "") throw new PermanentError(`Notion returned ${what} without an id`);
  return id;
}

/** Each row's edit time and typed property values, for the vectors' filter metadata. */
function unitsOf(rows: RowOfDatabase[]): Record<string, UnitFacts> {
  const units: Record<string, UnitFacts> = Object.create(null);
  for (const row of rows) {
    const properties: Record<string, FilterValue> = Object.create(null);
    for (const [name, value] of filterValues(row)) properties[name] = value;
    const edited = textOf(row.last_edited_time);
    units[row.id] = { ...(edited === "" ? {} : { lastEditedTime: edited }), properties };
  }
  return units;
}
