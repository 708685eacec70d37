/**
 * Where a paused Notion extraction stands (lib/core/extraction-control.ts): the walk's frontier, the
 * titles learnt and, for a database, how far its rows are read. Plain JSON, so the next invocation
 * goes on from there without reading anything twice.
 */
import type { PageObjectResponse } from "@notionhq/client";
import type { ExtractionCheckpoint, ExtractionControl } from "../../../core/extraction-control.js";
import type { WalkState } from "./block-walk.js";
import type { TitleCacheState } from "./titles.js";

export interface NotionCheckpoint extends ExtractionCheckpoint {
  version: 1;
  title: string;
  url: string;
  titles: TitleCacheState;
  walk: WalkState;
  /** Databases: how far the rows have been read and walked. */
  rows?: RowsState;
}

/** A database's rows: first every row of every data source is read, then each row's blocks. */
export interface RowsState {
  dataSourceIds: string[];
  /** The data source being read; past the last, every row is read. */
  dataSourceIndex: number;
  cursor?: string;
  /** The created_time window of the current query (lib/adapters/notion/extraction/extract-database.ts). */
  window?: string;
  last?: string;
  /** Rows read at `last`: the next window starts at that time and repeats them. */
  atBoundary: string[];
  incomplete: boolean;
  collected: RowOfDatabase[];
  /** Rows whose blocks are read; `walking`: the next row's walk is under way. */
  walked: number;
  walking: boolean;
}

/** What extraction needs of a row, and no more. */
export type RowOfDatabase = Pick<
  PageObjectResponse,
  "object" | "id" | "url" | "created_time" | "properties"
> &
  // Absent in checkpoints saved before the retrieval API's filters needed it.
  Partial<Pick<PageObjectResponse, "last_edited_time">>;

/** The checkpoint to go on from, when it is this extraction's (its subject and version). */
export function resumePoint(
  control: ExtractionControl,
  subject: "page" | "database",
): NotionCheckpoint | undefined {
  const saved = control.resume;
  return saved?.subject === subject && saved.version === 1 ? (saved as NotionCheckpoint) : undefined;
}
