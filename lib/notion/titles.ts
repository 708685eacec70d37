/**
 * Titles of pages and databases that links and relations point at, each looked up at most once per
 * extraction and within a budget. A target the integration cannot see has no title: the link keeps
 * its URL only. Any other failure fails the extraction.
 */
import { NotionNotFoundError } from "../errors.js";
import { pageTitle } from "./properties.js";
import type { NotionReader } from "./reader.js";
import { richTextToPlain } from "./rich-text.js";

export interface TitleTarget {
  type: "page" | "database";
  id: string;
}

export class TitleCache {
  private readonly titles = new Map<string, string | undefined>();
  private lookups = 0;

  constructor(
    private readonly reader: NotionReader,
    private readonly maxLookups: number,
  ) {}

  /** A title known without a request (a row of the database being read). */
  remember(id: string, title: string): void {
    this.titles.set(id, title);
  }

  known(id: string): string | undefined {
    return this.titles.get(id);
  }

  async title(target: TitleTarget): Promise<string | undefined> {
    if (this.titles.has(target.id) || this.lookups >= this.maxLookups) return this.titles.get(target.id);
    this.lookups += 1;
    let title: string | undefined;
    try {
      title =
        target.type === "page"
          ? pageTitle(await this.reader.retrievePage(target.id))
          : richTextToPlain((await this.reader.retrieveDatabase(target.id)).title);
    } catch (error) {
      if (!(error instanceof NotionNotFoundError)) throw error;
    }
    this.titles.set(target.id, title);
    return title;
  }
}
