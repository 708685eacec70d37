/**
 * The embedding cache in the real pipeline (harness: stand-ins and the adapters built from
 * configuration, so the cache is on as it is by default): a re-sync embeds only the chunks whose text
 * changed, and the document's `lastRun` — what `status --json` shows — says so.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentView } from "../../lib/cli/commands/documents-view.js";
import type { Document } from "../../lib/core/model.js";
import { heading1, paragraph } from "../../local/notion-blocks.js";
import { type Harness, startHarness } from "../support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const TOPICS = ["billing", "on-call", "deploys", "security", "hiring", "travel", "laptops", "offsites"];

/** Forty distinct paragraphs (several chunks); `edited` rewrites one sentence of one of them. */
function blocks(edited?: number) {
  return [
    heading1("Team handbook"),
    ...Array.from({ length: 40 }, (_, i) => {
      const topic = TOPICS[i % TOPICS.length];
      const middle =
        i === edited
          ? "This rule changed after the last review and now needs a second approver."
          : `Rule ${i} about ${topic} was agreed at the planning meeting in week ${i + 3}.`;
      return paragraph(
        `Section ${i} on ${topic}. ${middle} Everyone follows the ${topic} guide, asks in the ${topic} channel when unsure, and writes down what they learn for the next person.`,
      );
    }),
  ];
}

describe("the embedding cache in the pipeline", () => {
  it("re-embeds only changed chunks, and nothing for a re-index of unchanged text", async () => {
    const pageId = h.workspace.addPage({ title: "Team handbook", blocks: blocks() });
    h.clock.advance(61_000);
    const [documentId] = (await h.register(pageId)) as [string];

    const resync = async (change: () => void) => {
      change();
      h.clock.advance(61_000);
      const { indexed } = await h.syncAndIndex(documentId);
      expect(indexed.map((result) => result.outcome)).toEqual(["completed"]);
      const document = await h.store.getDocument(documentId);
      return { lastRun: document?.lastRun, segments: document?.segmentCount ?? 0 };
    };

    const first = await resync(() => undefined);
    expect(first.segments).toBeGreaterThan(3);
    expect(first.lastRun).toMatchObject({ embedded: first.segments, cached: 0 });

    const edited = await resync(() => h.workspace.editPage(pageId, blocks(20)));
    expect(edited.lastRun?.embedded).toBeGreaterThanOrEqual(1);
    expect(edited.lastRun?.embedded).toBeLessThanOrEqual(3);
    expect((edited.lastRun?.embedded ?? 0) + (edited.lastRun?.cached ?? 0)).toBe(edited.segments);
    expect(edited.lastRun?.tokens).toBeLessThan(first.lastRun?.tokens ?? 0);

    // Touched in Notion, text identical: the whole pipeline runs, the provider gets nothing.
    const forced = await resync(() => h.workspace.editPage(pageId, blocks(20)));
    expect(forced.lastRun).toMatchObject({ embedded: 0, cached: forced.segments, tokens: 0 });
    // What the run cost: Notion reads and Pinecone requests, no provider request (the local model
    // sends none anyway); the view `status --json` prints carries the figures and the estimate.
    expect(forced.lastRun).toMatchObject({
      embeddingProvider: "local",
      embeddingRequests: 0,
      // One upsert batch, and one delete when the previous generation's vectors were still there.
      pineconeWriteRequests: 1 + ((forced.lastRun?.vectorsDeleted ?? 0) > 0 ? 1 : 0),
      pineconeReadRequests: 1, // one list of the document's ids
    });
    expect(forced.lastRun?.notionRequests).toBeGreaterThanOrEqual(1);
    expect(forced.lastRun?.cacheRequests).toBeGreaterThanOrEqual(1);
    const view = documentView((await h.store.getDocument(documentId)) as Document);
    expect(view.lastRun).toMatchObject({
      pineconeRequests: 1 + (forced.lastRun?.pineconeWriteRequests ?? 0),
      embeddingRequests: 0,
      costPriced: true,
    });
    expect(view.lastRun?.estimatedCostUsd).toBeGreaterThan(0);
  });
});
