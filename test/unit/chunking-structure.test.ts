/**
 * Structure-aware chunking: block boundaries first, code and table lines kept whole, headings opening
 * chunks, database rows never mixed; the hierarchical form; rules and their fingerprint; and the
 * single-pass token measure, exact on any range.
 */
import fc from "fast-check";
import { CL100K_TOKEN_SPLIT_REGEX } from "gpt-tokenizer/encodingParams/constants";
import { describe, expect, it } from "vitest";
import { countPreTokenBytes } from "../../lib/chunking/bpe.js";
import { splitHierarchical } from "../../lib/chunking/hierarchical.js";
import { characterMeasure, tokenMeasure } from "../../lib/chunking/measure.js";
import {
  chunkSizes,
  MAX_PARENT_TOKENS,
  ruleFingerprint,
  validateProcessRule,
} from "../../lib/chunking/rules.js";
import { splitBlocks } from "../../lib/chunking/split.js";
import { countTokens } from "../../lib/chunking/tokenizer.js";
import { AUTOMATIC_RULE } from "../../lib/core/model.js";
import type { BlockKind, ExtractedBlock } from "../../lib/core/ports.js";
import { PermanentError } from "../../lib/shared/errors.js";

let nextBlock = 0;
function block(
  text: string,
  options: { kind?: BlockKind; unit?: string; heading?: string[] } = {},
): ExtractedBlock {
  nextBlock += 1;
  return {
    blockId: `b${nextBlock}`,
    text,
    headingPath: options.heading ?? [],
    sourceUrl: `https://notion.so/p#b${nextBlock}`,
    ...(options.kind === undefined ? {} : { kind: options.kind }),
    ...(options.unit === undefined ? {} : { unit: options.unit }),
  };
}

/** About `tokens` tokens of distinct sentences. */
function prose(tokens: number, label = "s"): string {
  const sentences: string[] = [];
  for (let i = 0; countTokens(sentences.join(" ")) < tokens - 12; i += 1) {
    sentences.push(`Sentence ${label}${i} tells the reader one more fact.`);
  }
  return sentences.join(" ");
}

const rule = (maxTokens: number, overlap = 0) => ({ ...AUTOMATIC_RULE, maxTokens, overlap });

describe("the token measure", () => {
  const piece = fc.constantFrom(
    "a",
    "Z",
    "1",
    "23",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    ".",
    "'s",
    "—",
    "你好",
    "😀",
    "\u00a0",
    "\ufeff",
    "x".repeat(40),
  );
  it("counts any range of a text exactly as the tokenizer counts it alone", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.nat(), fc.nat(), (pieces, a, b) => {
        const text = pieces.join("");
        const measured = tokenMeasure.index(text);
        expect(measured.total).toBe(countTokens(text));
        const [start, end] = [a % (text.length + 1), b % (text.length + 1)].sort((x, y) => x - y) as [
          number,
          number,
        ];
        expect(measured.range(start, end)).toBe(countTokens(text.slice(start, end)));
      }),
      { numRuns: 500 },
    );
  });
});

describe("byte-pair counting", () => {
  it("counts every pre-token as gpt-tokenizer does", () => {
    const preToken = new RegExp(CL100K_TOKEN_SPLIT_REGEX.source, "gu");
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (text) => {
        // gpt-tokenizer reads a byte order mark its own way; the measure leaves those to it.
        for (const [match] of text.replaceAll("\ufeff", "").matchAll(preToken)) {
          expect(countPreTokenBytes(match), JSON.stringify(match)).toBe(countTokens(match));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("structure first", () => {
  it("keeps blocks whole when they fit, cutting only between them", () => {
    const blocks = [block(prose(120, "a")), block(prose(120, "b")), block(prose(120, "c"))];
    const chunks = splitBlocks(blocks, rule(300));
    expect(chunks.map((chunk) => chunk.content)).toEqual([
      `${blocks[0]?.text}\n\n${blocks[1]?.text}`,
      blocks[2]?.text,
    ]);
  });

  it("cuts code only between lines, unless one line alone is too long", () => {
    const lines = Array.from(
      { length: 40 },
      (_, i) => `    result_${i} = compute(value_${i}, factor=${i}) # step ${i}`,
    );
    const long = `    ${"x = 1; ".repeat(60)}`;
    const code = block(`\`\`\`python\n${lines.join("\n")}\n${long}\n\`\`\``, { kind: "code" });
    const chunks = splitBlocks([code], rule(80, 10));
    for (const line of lines) expect(chunks.some((chunk) => chunk.content.includes(line.trim()))).toBe(true);
    for (const chunk of chunks) expect(chunk.tokens).toBeLessThanOrEqual(80);
    expect(chunks.some((chunk) => chunk.content.includes(long.trim()))).toBe(false);
  });

  it("cuts a table only between rows, and a custom separator never splits a row", () => {
    const rows = Array.from({ length: 30 }, (_, i) => `| service ${i} | owner ${i} | tier ${i % 3} |`);
    const table = block(["| a | b | c |", "| --- | --- | --- |", ...rows].join("\n"), { kind: "table" });
    const chunks = splitBlocks([table], { ...rule(60, 12), mode: "custom", separator: "|" });
    for (const row of rows) expect(chunks.some((chunk) => chunk.content.includes(row))).toBe(true);
    for (const chunk of chunks) {
      for (const line of chunk.content.split("\n")) expect(line).toMatch(/^\| .* \|$/);
    }
  });

  it("starts a chunk at a heading once the current one is half full, and never ends one on a heading", () => {
    const first = block(prose(300, "a"));
    const heading = block("## Deploys", { kind: "heading", heading: ["Deploys"] });
    const body = block(prose(100, "b"), { heading: ["Deploys"] });
    const chunks = splitBlocks([first, heading, body], rule(500, 50));
    expect(chunks.map((chunk) => chunk.content)).toEqual([first.text, `${heading.text}\n\n${body.text}`]);
    expect(chunks[1]?.headingPath).toEqual(["Deploys"]);

    const short = block(prose(200, "c"));
    const long = block(prose(350, "d"), { heading: ["Deploys"] });
    const orphan = splitBlocks([short, heading, long], rule(500, 0));
    expect(orphan.map((chunk) => chunk.content)).toEqual([short.text, `${heading.text}\n\n${long.text}`]);
  });

  it("never puts two units (database rows) in one chunk, nor overlaps across them", () => {
    const blocks = [
      block("Name: Alpha\nTier: 1", { unit: "row-1" }),
      block("Alpha serves payments.", { unit: "row-1" }),
      block("Name: Beta\nTier: 2", { unit: "row-2" }),
    ];
    const chunks = splitBlocks(blocks, rule(500, 50));
    expect(chunks.map((chunk) => chunk.content)).toEqual([
      `${blocks[0]?.text}\n\n${blocks[1]?.text}`,
      blocks[2]?.text,
    ]);
    expect(chunks.map((chunk) => chunk.blockId)).toEqual([blocks[0]?.blockId, blocks[2]?.blockId]);
  });

  it("anchors a chunk at its first new block, not at the overlap repeated from the one before", () => {
    const blocks = [block(prose(200, "a"), { heading: ["A"] }), block(prose(200, "b"), { heading: ["B"] })];
    const chunks = splitBlocks(blocks, rule(250, 40));
    expect(chunks).toHaveLength(2);
    expect(chunks[1]?.content.startsWith(blocks[1]?.text ?? "")).toBe(false);
    expect(chunks[1]).toMatchObject({ blockId: blocks[1]?.blockId, headingPath: ["B"] });
  });

  it("measures in characters when told to", () => {
    const chunks = splitBlocks([block(prose(600))], rule(200, 20), { measure: characterMeasure });
    for (const chunk of chunks) expect(chunk.content.length).toBeLessThanOrEqual(200);
    expect(chunks.length).toBeGreaterThan(10);
  });
});

describe("the hierarchical form", () => {
  it("cuts paragraph-sized parents into children that stay inside them", () => {
    const blocks = Array.from({ length: 6 }, (_, i) => block(prose(150, `p${i}`)));
    const { parents, children } = splitHierarchical(blocks, { ...rule(320, 10), childMaxTokens: 60 });
    expect(parents.length).toBeGreaterThan(2);
    for (const parent of parents) expect(parent.tokens).toBeLessThanOrEqual(320);
    for (const child of children) {
      expect(child.tokens).toBeLessThanOrEqual(60);
      expect(parents[child.parentIndex]?.content).toContain(child.content);
    }
  });

  it("makes each document, or each database row, one parent in the document mode", () => {
    const rows = [
      block(`Name: Alpha\n${prose(300, "a")}`, { unit: "row-1" }),
      block(`Name: Beta\n${prose(300, "b")}`, { unit: "row-2" }),
    ];
    const { parents, children } = splitHierarchical(rows, { ...AUTOMATIC_RULE, parentMode: "document" });
    expect(parents.map((parent) => parent.content)).toEqual(rows.map((row) => row.text));
    expect(new Set(children.map((child) => child.parentIndex))).toEqual(new Set([0, 1]));
    expect(MAX_PARENT_TOKENS).toBe(8000);
  });
});

describe("rules", () => {
  it("validates the hierarchical settings against the doc form", () => {
    expect(() => validateProcessRule({ ...AUTOMATIC_RULE, childMaxTokens: 600 }, "hierarchical")).toThrow(
      new PermanentError("invalid process rule: childMaxTokens (600) must not exceed the parent size (500)"),
    );
    expect(() =>
      validateProcessRule(
        { ...AUTOMATIC_RULE, mode: "custom", overlap: 40, childMaxTokens: 60 },
        "hierarchical",
      ),
    ).toThrow(/overlap must be less than half of childMaxTokens \(60\), got 40/);
    // The automatic rule's overlap shrinks to fit small children.
    expect(chunkSizes({ ...AUTOMATIC_RULE, childMaxTokens: 60 }, "hierarchical")).toEqual({
      maxTokens: 60,
      overlap: 29,
      parentMaxTokens: 500,
    });
    expect(() => validateProcessRule({ ...AUTOMATIC_RULE, parentMode: "page" as never })).toThrow(
      /parentMode/,
    );
    expect(validateProcessRule({ ...AUTOMATIC_RULE, childMaxTokens: 600 }, "text")).toBeDefined();
  });

  it("fingerprints what changes chunks, and only that", () => {
    const text = ruleFingerprint(AUTOMATIC_RULE, "text");
    expect(ruleFingerprint({ ...AUTOMATIC_RULE, childMaxTokens: 120 }, "text")).toBe(text);
    expect(ruleFingerprint({ ...AUTOMATIC_RULE, maxTokens: 400 }, "text")).not.toBe(text);
    expect(ruleFingerprint(AUTOMATIC_RULE, "hierarchical")).not.toBe(text);
    expect(ruleFingerprint(AUTOMATIC_RULE, "hierarchical")).toBe(
      ruleFingerprint({ ...AUTOMATIC_RULE, childMaxTokens: 200, parentMode: "paragraph" }, "hierarchical"),
    );
  });
});
