/**
 * Odd Notion pages through the whole pipeline: the Notion stand-in serves fuzzed blocks (any type,
 * odd or missing fields, huge or ill-formed rich text, ragged tables, deep nesting) and an odd title
 * to the real client; the real sync and index handlers run on the real stand-ins.
 * Properties, for every page: no handler throws, nothing is dead-lettered; the document ends
 * `completed` (segments and vectors equal id for id, every text well-formed) or `error` with a
 * one-line reason and nothing of it in the index; no lease is left.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.js";
import { FUZZ_TIMEOUT_MS, isWellFormed, printSummaries, runsFor, Tally } from "./fuzz-runs.js";
import { oddString } from "./message-arbitraries.js";
import { pageBlocks } from "./notion-arbitraries.js";

let h: Harness;
const tally = new Tally("odd Notion pages through the stand-in, sync and index handlers", "pages");

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  printSummaries([tally]);
  await h?.close();
});

describe("odd Notion pages through the pipeline", () => {
  it(
    "end completed with well-formed segments, or error with a reason and nothing indexed; never crash",
    async () => {
      const property = fc.asyncProperty(pageBlocks(150), oddString, async (blocks, title) => {
        const pageId = h.workspace.addPage({ title, blocks });
        const [documentId] = (await h.register(pageId)) as [string];
        await h.sync(documentId);
        const indexed = await h.drainIndexQueue();
        expect(indexed).toHaveLength(1);

        const document = await h.store.getDocument(documentId);
        expect(["completed", "error"]).toContain(document?.indexingStatus);
        expect(document?.lease).toBeUndefined();
        expect(isWellFormed(document?.title ?? "")).toBe(true);
        const vectors = h.pinecone.ids(h.namespace).filter((id) => id.startsWith(`${documentId}#`));
        const segments = await h.store.listSegments(documentId);
        if (document?.indexingStatus === "error") {
          expect(document.error).toMatch(/^[^\r\n]+$/);
          expect(vectors).toEqual([]);
          expect(segments).toEqual([]);
          tally.count({ rejected: 1 });
        } else {
          expect(segments.map((segment) => segment.indexNodeId).sort()).toEqual(vectors);
          for (const segment of segments) {
            expect(isWellFormed(segment.content)).toBe(true);
            expect(segment.content.trim()).not.toBe("");
            for (const heading of segment.headingPath) expect(isWellFormed(heading)).toBe(true);
          }
          tally.count({ accepted: 1 });
        }
        const deadLetters = [
          ...(await h.receiveAll(h.queues.syncDlq.queueUrl)),
          ...(await h.receiveAll(h.queues.indexDlq.queueUrl)),
        ];
        expect(deadLetters).toEqual([]);
      });
      await tally.run(property, runsFor(0.02, 4));
      expect(tally.accepted).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});
