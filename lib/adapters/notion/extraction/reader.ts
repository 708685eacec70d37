/**
 * The Notion reads extraction needs, as one small interface: the adapter implements it over the real
 * client (counting requests and mapping errors to the domain's), and tests can serve a tree from
 * memory. Every method fails rather than return less than Notion has.
 */
import type { BlockObjectResponse, DatabaseObjectResponse, PageObjectResponse } from "@notionhq/client";

export interface Listing<T> {
  results: T[];
  /** Undefined on the last page. */
  nextCursor: string | undefined;
  /**
   * Notion cut the result short (`request_status: incomplete`, e.g. a query past its 10,000 results):
   * following the cursor does not reach the rest.
   */
  incomplete?: boolean;
}

export interface NotionReader {
  /** Requests made so far. */
  readonly requests: number;
  /** One page (up to 100) of a block's or page's children. */
  listChildren(blockId: string, cursor: string | undefined): Promise<Listing<BlockObjectResponse>>;
  /**
   * One page (up to 100) of a data source's rows, oldest created first; with `createdOnOrAfter`,
   * only rows created at or after that time (how a data source past 10,000 rows is read in windows).
   */
  queryDataSource(
    dataSourceId: string,
    cursor: string | undefined,
    createdOnOrAfter?: string,
  ): Promise<Listing<PageObjectResponse>>;
  /** Throws NotionNotFoundError when the integration cannot see it. */
  retrievePage(pageId: string): Promise<PageObjectResponse>;
  retrieveDatabase(databaseId: string): Promise<DatabaseObjectResponse>;
  /**
   * One page (up to 100) of a page property's items: how a relation or people value past the 25
   * references a page object shows is read whole.
   */
  listPropertyItems(
    pageId: string,
    propertyId: string,
    cursor: string | undefined,
  ): Promise<Listing<unknown>>;
}

/** Limits that keep a huge page from exhausting memory: past them, extraction fails, never truncates. */
export interface ExtractionLimits {
  /** Blocks (a database's rows' blocks included). */
  maxBlocks: number;
  /** A database's rows (default 100,000): a row is small, its blocks count as blocks. */
  maxRows?: number;
  /** Characters of extracted text. */
  maxChars: number;
  /** Title look-ups for links to pages and relations (beyond them, a link shows its URL only). */
  maxTitleLookups: number;
}
