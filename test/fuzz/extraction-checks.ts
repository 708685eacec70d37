/**
 * What extraction must give for any Notion payload: a document whose every text is a well-formed
 * string (titles and heading paths bounded), which then cleans and splits into well-formed chunks
 * within the rule's size — or a typed error with a one-line reason. Nothing else.
 */
import { expect } from "vitest";
import { MAX_LABEL_CHARS } from "../../lib/adapters/notion/extraction/labels.js";
import { cleanText } from "../../lib/chunking/clean.js";
import { splitHierarchical } from "../../lib/chunking/hierarchical.js";
import { splitBlocks } from "../../lib/chunking/split.js";
import { countTokens } from "../../lib/chunking/tokenizer.js";
import { AUTOMATIC_RULE, type ProcessRule } from "../../lib/core/model.js";
import type { ExtractedDocument } from "../../lib/core/ports.js";
import { PermanentError, RetryableError } from "../../lib/shared/errors.js";
import { isWellFormed } from "./fuzz-runs.js";

export type Outcome =
  | { kind: "accepted"; document: ExtractedDocument }
  | { kind: "rejected"; reason: string };

/** Awaits an extraction: a document, or a typed error (anything else fails the property). */
export async function outcomeOf(extraction: Promise<ExtractedDocument>): Promise<Outcome> {
  try {
    return { kind: "accepted", document: await extraction };
  } catch (error) {
    expect(error, `untyped error: ${String(error)}`).toSatisfy(
      (value: unknown) => value instanceof PermanentError || value instanceof RetryableError,
    );
    const reason = (error as Error).message;
    expect(reason.length).toBeGreaterThan(0);
    expect(reason).not.toMatch(/[\r\n]/);
    return { kind: "rejected", reason };
  }
}

function expectLabel(text: unknown): void {
  expect(typeof text).toBe("string");
  expect(isWellFormed(text as string)).toBe(true);
  expect((text as string).length).toBeLessThanOrEqual(MAX_LABEL_CHARS);
}

export function expectWellFormedDocument(document: ExtractedDocument): void {
  expectLabel(document.title);
  expect(typeof document.url).toBe("string");
  for (const block of document.blocks) {
    expect(typeof block.blockId === "string" && block.blockId !== "").toBe(true);
    expect(typeof block.text).toBe("string");
    expect(isWellFormed(block.text)).toBe(true);
    expect(block.text.trim()).not.toBe("");
    expect(typeof block.sourceUrl).toBe("string");
    expect(["text", "heading", "code", "table", undefined]).toContain(block.kind);
    for (const heading of block.headingPath) expectLabel(heading);
  }
  for (const child of document.children) {
    expect(typeof child.id).toBe("string");
    expect(["page", "database"]).toContain(child.type);
    expectLabel(child.title);
  }
}

/** Small chunks, so that fuzzed blocks are cut inside as well as between. */
const SMALL_RULE: ProcessRule = { ...AUTOMATIC_RULE, mode: "custom", maxTokens: 120, overlap: 20 };
const CHILD_MAX_TOKENS = 50;

/** Cleans and splits as the index run does: every chunk well-formed, non-blank, within the rule's size. */
export function expectWellFormedChunks(document: ExtractedDocument, hierarchical: boolean): number {
  const rule = hierarchical ? { ...SMALL_RULE, childMaxTokens: CHILD_MAX_TOKENS } : SMALL_RULE;
  const blocks = document.blocks
    .map((block) => ({ ...block, text: cleanText(block.text, rule) }))
    .filter((block) => block.text.trim().length > 0);
  const chunks = hierarchical ? splitHierarchical(blocks, rule).children : splitBlocks(blocks, rule);
  const limit = hierarchical ? CHILD_MAX_TOKENS : rule.maxTokens;
  for (const chunk of chunks) {
    expect(isWellFormed(chunk.content)).toBe(true);
    expect(chunk.content.trim()).not.toBe("");
    expect(chunk.tokens).toBe(countTokens(chunk.content));
    expect(chunk.tokens).toBeLessThanOrEqual(limit);
    for (const heading of chunk.headingPath) expectLabel(heading);
  }
  if (blocks.length > 0) expect(chunks.length).toBeGreaterThan(0);
  return chunks.length;
}
