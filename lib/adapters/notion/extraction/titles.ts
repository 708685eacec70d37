/**
 * Titles of pages and databases that links and relations point at, each looked up at most once per
 * extraction and within a budget. A target the integration cannot see has no title: the link keeps
 * its URL only. Any other failure fails the extraction.
 */
import { NotionNotFoundError } from "../../../shared/errors.js";
import { pageTitle } from "./properties.js";
import type { NotionReader } from "./reader.js";
import { richTextToLabel } from "./rich-text.js";

export interface TitleTarget {
  type: "page" | "database";
  id: string;
}

/** The titles known so far and the look-ups spent: plain data, for a checkpoint. */
export interface TitleCacheState {
  titles: [string, string | null][];
  lookups: number;
}

export class TitleCache {
  private readonly titles = new Map<string, string | undefined>();
  private lookups = 0;

  constructor(
    private readonly reader: NotionReader,
    private readonly maxLookups: number,
    saved?: TitleCacheState,
  ) {
    for (const [id, title] of saved?.titles ?? []) this.titles.set(id, title ?? undefined);
    this.lookups = saved?.lookups ?? 0;
  }

  state(): TitleCacheState {
    return { titles: [...this.titles].map(([id, title]) => [id, title ?? null]), lookups: this.lookups };
  }

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
          : richTextToLabel((await this.reader.retrieveDatabase(target.id)).title);
    } catch (error) {
      if (!(error instanceof NotionNotFoundError)) throw error;
    }
    this.titles.set(target.id, title);
    return title;
  }
}
