/**
 * A page document: its blocks, any depth, every page of children. A page that is a database row also
 * gets its properties, as the first block.
 */
import type { ExtractedDocument } from "../ports.js";
import { BlockWalk } from "./block-walk.js";
import { pageTitle, propertyLines } from "./properties.js";
import type { ExtractionLimits, NotionReader } from "./reader.js";
import { TitleCache } from "./titles.js";

export async function extractPage(
  reader: NotionReader,
  pageId: string,
  limits: ExtractionLimits,
): Promise<ExtractedDocument> {
  const page = await reader.retrievePage(pageId);
  const titles = new TitleCache(reader, limits.maxTitleLookups);
  const walk = new BlockWalk("page", reader, limits, titles);
  const title = pageTitle(page);
  if (page.parent.type === "data_source_id" || page.parent.type === "database_id") {
    const lines = await propertyLines(page, titles);
    if (lines.length > 0)
      walk.add({ blockId: page.id, text: lines.join("\n"), headingPath: [], sourceUrl: page.url });
  }
  await walk.walk(page.id, { url: page.url, headingPath: [] });
  return walk.document(title, page.url);
}
