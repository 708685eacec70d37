/**
 * Limits (issue 7, Security): message size, page size (blocks and characters), rich text per block,
 * and labels, each through the real handlers on the stand-ins with the functions' default limits.
 * Past a limit, a message is dead-lettered with its reason and a page ends in `error` with its reason,
 * nothing of the new generation indexed and the old content still in place; the walk stops reading
 * at the limit instead of reading the whole page first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_LABEL_CHARS } from "../../lib/adapters/notion/extraction/labels.js";
import { wellFormed } from "../../lib/adapters/notion/extraction/well-formed.js";
import { countTokens } from "../../lib/chunking/tokenizer.js";
import { MAX_MESSAGE_BYTES } from "../../lib/core/messages.js";
import { MAX_METADATA_TEXT_BYTES, metadataText } from "../../lib/indexing/metadata-text.js";
import { type BlockSpec, heading1, paragraph, text } from "../../local/notion-blocks.js";
import { DATASET, type Harness, startHarness } from "../support/harness.js";

/** The functions' defaults (lib/adapters/notion/notion-source.ts). */
const MAX_BLOCKS = 20_000;
const MAX_CHARS = 10_000_000;
/** Notion's own ceiling for one rich text array: 100 items of 2,000 characters. */
const NOTION_RICH_TEXT_CHARS = 100 * 2_000;

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const CHILDREN_ROUTE = "GET /v1/blocks/:id/children";

function vectorsOf(documentId: string): string[] {
  return h.pinecone.ids(h.namespace).filter((id) => id.startsWith(`${documentId}#`));
}

/** A body of exactly `bytes` bytes: a valid unit sync padded with spaces (JSON allows them). */
function paddedBody(bytes: number, message: Record<string, unknown>): string {
  const json = JSON.stringify(message);
  return `${json}${" ".repeat(bytes - Buffer.byteLength(json, "utf8"))}`;
}

/** Rich text of `chars` characters of ordinary words, in items of at most 2,000 as Notion sends them. */
function longRichText(chars: number, seed: string) {
  const words = `${seed} keeps the runbook current and pages the owner when latency rises. `;
  const whole = words.repeat(Math.ceil(chars / words.length)).slice(0, chars);
  const items = [];
  for (let start = 0; start < whole.length; start += 2_000)
    items.push(text(whole.slice(start, start + 2_000)));
  return items;
}

describe("message size", () => {
  it(`accepts a body of exactly ${MAX_MESSAGE_BYTES} bytes and dead-letters one byte more, with the reason`, async () => {
    const message = { datasetId: DATASET, documentId: "no-such-document" };
    const fits = await h.syncHandler(h.record(paddedBody(MAX_MESSAGE_BYTES, message)));
    expect(fits).toMatchObject({ outcome: "missing" });
    expect(await h.receiveAll(h.queues.syncDlq.queueUrl)).toEqual([]);

    const tooLarge = h.record(paddedBody(MAX_MESSAGE_BYTES + 1, message));
    await h.syncHandler(tooLarge);
    const [dead] = await h.receiveAll(h.queues.syncDlq.queueUrl);
    expect(dead?.Body).toBe(tooLarge.body);
    expect(dead?.MessageAttributes?.reason?.StringValue).toBe(
      `InvalidMessageError: sync message is larger than ${MAX_MESSAGE_BYTES} bytes`,
    );
  });

  it("counts bytes, not characters: a body of multi-byte characters under the limit in length is refused", async () => {
    const body = JSON.stringify({ datasetId: DATASET, documentId: "€".repeat(6_000) });
    expect(body.length).toBeLessThan(MAX_MESSAGE_BYTES);
    const record = h.record(body);
    await h.indexHandler(record);
    const [dead] = await h.receiveAll(h.queues.indexDlq.queueUrl);
    expect(dead?.MessageAttributes?.reason?.StringValue).toBe(
      `InvalidMessageError: index message is larger than ${MAX_MESSAGE_BYTES} bytes`,
    );
    expect(h.logs.some((line) => line.extra.messageId === record.messageId && line.level === "error")).toBe(
      true,
    );
  });

  it("keeps a 200 KiB body whole in the dead-letter queue, never parsing it", async () => {
    const body = `{"datasetId":"${"x".repeat(200 * 1024)}"}`;
    const record = h.record(body);
    await h.syncHandler(record);
    const [dead] = await h.receiveAll(h.queues.syncDlq.queueUrl);
    expect(dead?.Body).toBe(body);
    expect(dead?.MessageAttributes?.reason?.StringValue).toMatch(/larger than 16384 bytes/);
  });
});

describe("page size", () => {
  it(`a page of ${MAX_BLOCKS + 1} blocks ends in error, reads no further, indexes nothing new and keeps the old content`, async () => {
    const pageId = h.workspace.addPage({
      title: "Grows too big",
      blocks: [paragraph("The original content.")],
    });
    const [documentId] = (await h.register(pageId)) as [string];
    await h.syncAndIndex(documentId);
    expect(vectorsOf(documentId)).toEqual([`${documentId}#1#0`]);

    // Half as many blocks again as the limit: the walk must stop at the limit, not read them all.
    const blocks = Array.from({ length: MAX_BLOCKS * 1.5 }, (_, index) => paragraph(`Line ${index}.`));
    h.clock.advance(60_000);
    h.workspace.editPage(pageId, blocks);
    h.notion.resetCounts();
    const { indexed } = await h.syncAndIndex(documentId);

    expect(indexed).toEqual([
      expect.objectContaining({ outcome: "error", reason: `page has more than ${MAX_BLOCKS} blocks` }),
    ]);
    const document = await h.store.getDocument(documentId);
    expect(document).toMatchObject({
      indexingStatus: "error",
      error: `page has more than ${MAX_BLOCKS} blocks`,
      generation: 2,
    });
    expect(document?.lease).toBeUndefined();
    // 100 blocks a request: the limit is crossed on request 201, and nothing past it is asked for.
    expect(h.notion.requestCounts()[CHILDREN_ROUTE]).toBe(MAX_BLOCKS / 100 + 1);
    // Nothing of generation 2; generation 1 still answers queries until a run succeeds.
    expect(vectorsOf(documentId)).toEqual([`${documentId}#1#0`]);
    expect((await h.store.listSegments(documentId)).map((segment) => segment.generation)).toEqual([1]);
  });

  it(`a page of more than ${MAX_CHARS.toLocaleString("en")} characters ends in error with the reason`, async () => {
    // Notion's largest paragraphs (200,000 characters each), one more than fits.
    const blocks: BlockSpec[] = Array.from({ length: MAX_CHARS / NOTION_RICH_TEXT_CHARS + 1 }, (_, index) =>
      paragraph(longRichText(NOTION_RICH_TEXT_CHARS, `Block ${index}`)),
    );
    const pageId = h.workspace.addPage({ title: "Too much text", blocks });
    const [documentId] = (await h.register(pageId)) as [string];
    const { indexed } = await h.syncAndIndex(documentId);

    const reason = `page has more than ${MAX_CHARS} characters of text`;
    expect(indexed).toEqual([expect.objectContaining({ outcome: "error", reason })]);
    expect(await h.store.getDocument(documentId)).toMatchObject({ indexingStatus: "error", error: reason });
    expect(vectorsOf(documentId)).toEqual([]);
  });
});

describe("rich text per block and labels", () => {
  it("a block at Notion's rich text ceiling is indexed in chunks that each fit the rule", async () => {
    const pageId = h.workspace.addPage({
      title: "One huge paragraph",
      blocks: [paragraph(longRichText(NOTION_RICH_TEXT_CHARS, "Ada"))],
    });
    const [documentId] = (await h.register(pageId)) as [string];
    await h.syncAndIndex(documentId);

    const segments = await h.store.listSegments(documentId);
    expect(await h.store.getDocument(documentId)).toMatchObject({ indexingStatus: "completed" });
    // At most 500 tokens of about 5 characters each: 200,000 characters need at least 80 chunks.
    expect(segments.length).toBeGreaterThanOrEqual(80);
    for (const segment of segments) expect(countTokens(segment.content)).toBeLessThanOrEqual(500);
    expect(vectorsOf(documentId)).toHaveLength(segments.length);
  });

  it("a heading and a title of 50,000 characters are cut to labels in the metadata, and the page indexes", async () => {
    const longHeading = "Escalation ".repeat(5_000);
    const pageId = h.workspace.addPage({
      title: "Title ".repeat(10_000),
      blocks: [heading1(longHeading), paragraph("Call the incident commander first.")],
    });
    const [documentId] = (await h.register(pageId)) as [string];
    await h.syncAndIndex(documentId);

    const document = await h.store.getDocument(documentId);
    expect(document).toMatchObject({ indexingStatus: "completed" });
    expect(document?.title.length).toBeLessThanOrEqual(MAX_LABEL_CHARS);
    const segments = await h.store.listSegments(documentId);
    for (const segment of segments) {
      for (const heading of segment.headingPath) expect(heading.length).toBeLessThanOrEqual(MAX_LABEL_CHARS);
    }
    // The heading's full text is still content.
    expect(segments.map((segment) => segment.content).join(" ")).toContain("Escalation Escalation");
  });
});

describe("the text kept in a vector's metadata", () => {
  it("is the chunk itself when it fits, and a well-formed prefix within Pinecone's budget when not", () => {
    expect(metadataText("short text")).toBe("short text");
    const ascii = "a".repeat(40_000);
    const cjk = "漢".repeat(20_000);
    const emoji = "😀".repeat(10_000);
    for (const text of [ascii, cjk, emoji, `${"b".repeat(32 * 1024 - 1)}😀`]) {
      const kept = metadataText(text);
      expect(Buffer.byteLength(kept, "utf8")).toBeLessThanOrEqual(MAX_METADATA_TEXT_BYTES);
      expect(kept.endsWith("…")).toBe(true);
      expect(text.startsWith(kept.slice(0, -1))).toBe(true);
      expect(wellFormed(kept)).toBe(kept);
      // Nearly the whole budget is used.
      expect(Buffer.byteLength(kept, "utf8")).toBeGreaterThan(MAX_METADATA_TEXT_BYTES - 8);
    }
  });
});
