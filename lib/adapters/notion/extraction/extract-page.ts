/**
 * A page document: its blocks, any depth, every page of children. A page that is a database row also
 * gets its properties, as the first block. It can pause between two reads and resume from the
 * checkpoint it hands back (lib/adapters/notion/extraction/checkpoint.ts).
 */

import { type ExtractionControl, ExtractionSuspended } from "../../../core/extraction-control.js";
import type { ExtractedDocument } from "../../../core/ports.js";
import { BlockWalk } from "./block-walk.js";
import { type NotionCheckpoint, resumePoint } from "./checkpoint.js";
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
  control: ExtractionControl = {},
): Promise<ExtractedDocument> {
  return readingNotion(`page (${pageId})`, async () => {
    const saved = resumePoint(control, "page");
    const titles = new TitleCache(reader, limits.maxTitleLookups, saved?.titles);
    const walk = new BlockWalk("page", reader, limits, titles, saved?.walk);
    let title: string;
    let url: string;
    let outcome: "done" | "paused";
    if (saved !== undefined) {
      ({ title, url } = saved);
      outcome = await walk.resume(control.pause);
    } else {
      const page = await reader.retrievePage(pageId);
      const id = textOf(page.id) || pageId;
      url = textOf(page.url) || notionUrl(id);
      title = pageTitle(page);
      const parentType = objectOf(page.parent)?.type;
      if (parentType === "data_source_id" || parentType === "database_id") {
        const lines = await propertyLines(page, titles, reader);
        if (lines.length > 0)
          walk.add({ blockId: id, text: lines.join("\n"), headingPath: [], sourceUrl: url });
      }
      outcome = await walk.walk(id, { url, headingPath: [] }, control.pause);
    }
    if (outcome === "paused") {
      const checkpoint: NotionCheckpoint = {
        version: 1,
        subject: "page",
        notionId: pageId,
        blocksRead: walk.state().seen,
        title,
        url,
        titles: titles.state(),
        walk: walk.state(),
      };
      throw new ExtractionSuspended(checkpoint);
    }
    return walk.document(title, url);
  });
}
