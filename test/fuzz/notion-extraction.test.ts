/**
 * Odd Notion payloads through extraction (lib/adapters/notion/extraction) and then cleaning and splitting (lib/chunking),
 * served raw from memory, so that shapes the Notion stand-in cannot serve are covered too: a page's
 * properties of the wrong type, a block without an id or type, values JSON cannot carry (`Infinity`).
 * Properties: extraction returns a well-formed document or throws a typed error with a one-line
 * reason, never anything else; every chunk of what it returns is a well-formed string within the size.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { extractDatabase } from "../../lib/adapters/notion/extraction/extract-database.js";
import { extractPage } from "../../lib/adapters/notion/extraction/extract-page.js";
import type { ExtractionLimits } from "../../lib/adapters/notion/extraction/reader.js";
import {
  expectWellFormedChunks,
  expectWellFormedDocument,
  type Outcome,
  outcomeOf,
} from "./extraction-checks.js";
import { FUZZ_TIMEOUT_MS, printSummaries, runsFor, Tally } from "./fuzz-runs.js";
import { type Envelope, MemoryReader } from "./memory-reader.js";
import { oddText, pageBlocks, pageProperties, richText } from "./notion-arbitraries.js";

/** The adapter's defaults (lib/adapters/notion/notion-source.ts). */
const LIMITS: ExtractionLimits = { maxBlocks: 20_000, maxChars: 10_000_000, maxTitleLookups: 100 };

const tallies = {
  pages: new Tally("odd Notion pages (extraction from memory, then cleaning and splitting)", "pages"),
  databases: new Tally("odd Notion databases and rows (extraction from memory, then splitting)", "databases"),
};

afterAll(() => printSummaries(Object.values(tallies)));

/** Mostly intact envelopes; now and then a block loses its id or type. */
const envelopes: fc.Arbitrary<Envelope[]> = fc.array(
  fc.oneof(
    { arbitrary: fc.constant<Envelope>("intact"), weight: 40 },
    {
      arbitrary: fc.constantFrom<Envelope>("no id", "numeric id", "no type", "has_children as text"),
      weight: 1,
    },
  ),
  { minLength: 1, maxLength: 30 },
);

function tallied(tally: Tally, outcome: Outcome, hierarchical: boolean): void {
  if (outcome.kind === "rejected") {
    if (process.env.FUZZ_DEBUG) console.log(outcome.reason.slice(0, 200));
    tally.count({ rejected: 1 });
    return;
  }
  expectWellFormedDocument(outcome.document);
  expectWellFormedChunks(outcome.document, hierarchical);
  tally.count({ accepted: 1 });
}

describe("odd Notion payloads through extraction", () => {
  it(
    "pages: a well-formed document with well-formed chunks, or a typed error with a reason",
    async () => {
      const property = fc.asyncProperty(
        pageBlocks(500),
        envelopes,
        fc.constantFrom("workspace", "page_id", "data_source_id", "database_id", undefined, 7),
        pageProperties([]),
        fc.oneof(fc.webUrl(), fc.constantFrom(undefined, null, 3)),
        fc.boolean(),
        async (blocks, blockEnvelopes, parentType, properties, url, hierarchical) => {
          await yieldToEventLoop();
          const reader = new MemoryReader();
          const pageId = reader.freshId();
          reader.pages.set(pageId, {
            object: "page",
            id: pageId,
            url,
            parent: { type: parentType },
            properties,
          });
          reader.addBlocks(pageId, blocks, blockEnvelopes);
          tallied(tallies.pages, await outcomeOf(extractPage(reader, pageId, LIMITS)), hierarchical);
        },
      );
      await tallies.pages.run(property, runsFor(0.3, 60));
      expect(tallies.pages.accepted).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "databases: rows with properties of any shape, relations, bodies; or a typed error",
    async () => {
      const rowIds = ["00000000-0000-4000-9000-000000000001", "00000000-0000-4000-9000-000000000002"];
      const property = fc.asyncProperty(
        richText,
        fc.oneof(
          { arbitrary: fc.constant("one data source"), weight: 8 },
          { arbitrary: fc.constantFrom<unknown>(null, [], "sources", [{}], [{ id: 5 }], [null]), weight: 1 },
        ),
        fc.array(
          fc.record({
            properties: pageProperties(rowIds),
            blocks: pageBlocks(50),
            id: fc.oneof(
              { arbitrary: fc.constant("fresh"), weight: 20 },
              { arbitrary: fc.constantFrom<unknown>(null, 7, ""), weight: 1 },
            ),
          }),
          { maxLength: 6 },
        ),
        oddText,
        fc.boolean(),
        async (title, dataSources, rows, relatedTitle, hierarchical) => {
          await yieldToEventLoop();
          const reader = new MemoryReader();
          const databaseId = reader.freshId();
          const dataSourceId = reader.freshId();
          reader.databases.set(databaseId, {
            object: "database",
            id: databaseId,
            title,
            url: `https://www.notion.so/${databaseId.replaceAll("-", "")}`,
            data_sources:
              dataSources === "one data source" ? [{ id: dataSourceId, name: "rows" }] : dataSources,
          });
          // One related page outside the database, to be looked up by title.
          const related = rowIds[1] as string;
          reader.pages.set(related, {
            object: "page",
            id: related,
            properties: {
              Name: {
                id: "title",
                type: "title",
                title: [{ type: "text", text: { content: relatedTitle }, plain_text: relatedTitle }],
              },
            },
          });
          const rowObjects = rows.map((row, index) => {
            const id = row.id === "fresh" ? (index === 0 ? (rowIds[0] as string) : reader.freshId()) : row.id;
            if (typeof id === "string" && id !== "") reader.addBlocks(id, row.blocks);
            return {
              object: "page",
              id,
              url: typeof id === "string" ? `https://www.notion.so/${id.replaceAll("-", "")}` : undefined,
              parent: { type: "data_source_id", data_source_id: dataSourceId, database_id: databaseId },
              properties: row.properties,
            };
          });
          reader.rows.set(dataSourceId, rowObjects);
          tallied(
            tallies.databases,
            await outcomeOf(extractDatabase(reader, databaseId, LIMITS)),
            hierarchical,
          );
        },
      );
      await tallies.databases.run(property, runsFor(0.15, 30));
      expect(tallies.databases.accepted).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});

/**
 * The in-memory reader answers with resolved promises only, so a long run would never let the event
 * loop turn, and Vitest's worker would miss its RPC deadline ("Timeout calling onTaskUpdate").
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
