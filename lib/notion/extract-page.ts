/**
 * A page document: its blocks, any depth, every page of children. A page that is a database row also
 * gets its properties, as the first block.
 */
import type { ExtractedDocument } from "../ports.js";
import { BlockWalk } from "./block-walk.js";
import { readingNotion } from "./malformed.js";
import { pageTitle, propertyLines } from "./properties.js";
import type { ExtractionLimits, NotionReader } from "./reader.js";
import { notionUrl } from "./render-blocks.js";
import { TitleCache } from "./titles.js";
import { objectOf, textOf } from "./untrusted.js";

export function extractPage(
  reader: NotionReader,
  pageId: string,
  limits: ExtractionLimits,
): Promise<ExtractedDocument> {
  return readingNotion(`page (${pageId})`, async () => {
    const page = await reader.retrievePage(pageId);
    const id = textOf(page.id) || pageId;
    const url = textOf(page.url) || notionUrl(id);
    const titles = new TitleCache(reader, limits.maxTitleLookups);
    const walk = new BlockWalk("page", reader, limits, titles);
    const title = pageTitle(page);
    const parentType = objectOf(page.parent)?.type;
    if (parentType === "data_source_id" || parentType === "database_id") {
      const lines = await propertyLines(page, titles);
      if (lines.length > 0)
        walk.add({ blockId: id, text: lines.join("\n"), headingPath: [], sourceUrl: url });
    }
    await walk.walk(id, { url, headingPath: [] });
    return walk.document(title, url);
  });
}
