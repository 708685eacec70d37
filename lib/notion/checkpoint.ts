/**
 * An extraction that must stop before it is done (its invocation's deadline is near) hands back
 * where it stands as an ExtractionCheckpoint: plain JSON, so it can be stored and read by the next
 * invocation, which goes on from there without reading anything twice.
 */
import type { PageObjectResponse } from "@notionhq/client";
import type { WalkState } from "./block-walk.js";
import type { TitleCacheState } from "./titles.js";

export interface ExtractionCheckpoint {
  version: 1;
  subject: "page" | "database";
  /** The Notion page or database being read. */
  notionId: string;
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
  /** The created_time window of the current query (lib/notion/extract-database.ts). */
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
export type RowOfDatabase = Pick<PageObjectResponse, "object" | "id" | "url" | "created_time" | "properties">;

/** Thrown by an extraction told to pause; carries where it stands. */
export class ExtractionSuspended extends Error {
  override name = "ExtractionSuspended";
  constructor(readonly checkpoint: ExtractionCheckpoint) {
    super(`extraction of ${checkpoint.subject} ${checkpoint.notionId} paused at a checkpoint`);
  }
}

export interface ExtractionControl {
  /** Go on from here instead of from the start. */
  resume?: ExtractionCheckpoint;
  /** Asked between steps: true stops the extraction with an ExtractionSuspended. */
  pause?: () => boolean;
}
