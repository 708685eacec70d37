import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanText } from "../../lib/chunking/clean.js";
import { validateProcessRule } from "../../lib/chunking/rules.js";
import { splitBlocks } from "../../lib/chunking/split.js";
import { countTokens, countWords, tokenPrefix } from "../../lib/chunking/tokenizer.js";
import { AUTOMATIC_RULE, type ProcessRule } from "../../lib/core/model.js";
import type { ExtractedBlock } from "../../lib/core/ports.js";
import { PermanentError } from "../../lib/shared/errors.js";
import { alignChunks, rawPrefix, withoutDroppable } from "./chunk-alignment.js";

const RUNS = 200;

function block(text: string, index = 0, headingPath: string[] = []): ExtractedBlock {
  return { blockId: `block-${index}`, text, headingPath, sourceUrl: `https://notion.so/page#block-${index}` };
}

function blocksOf(texts: string[]): ExtractedBlock[] {
  return texts.map((text, index) => block(text, index, [`Heading ${index}`]));
}

// ---------------------------------------------------------------- arbitraries

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const CJK = "你好世界数据索引同步文档分块日本語のテキストカタカナ한국어";
const EMOJI = ["😀", "👍🏽", "👨‍👩‍👧", "🇯🇵", "🚀"];

const letter = fc.constantFrom(...LETTERS);
const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("the", "index", "Notion", "vector", "chunk", "sync", "page", "a") },
  { weight: 4, arbitrary: fc.string({ unit: letter, minLength: 1, maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...CJK), minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...EMOJI) },
  { weight: 1, arbitrary: fc.constantFrom("end.", "why?", "。", "！", "<|endoftext|>", "e.g.", "—") },
  { weight: 1, arbitrary: fc.string({ unit: letter, minLength: 200, maxLength: 3000 }) },
);
const gap = fc.constantFrom(" ", " ", " ", "\n", "\n\n", "  ", "\t", " | ", "\n \n\n");
const text = (maxWords: number) =>
  fc
    .array(fc.tuple(word, gap), { maxLength: maxWords })
    .map((pairs) => pairs.map(([w, g]) => w + g).join(""));
const blockText = fc.oneof(
  { weight: 6, arbitrary: text(60) },
  { weight: 2, arbitrary: fc.constantFrom("", " ", "\n\n", "\t \n") },
  { weight: 1, arbitrary: text(1500) },
);

const rule: fc.Arbitrary<ProcessRule> = fc
  .record({
    maxTokens: fc.integer({ min: 50, max: 400 }),
    overlapShare: fc.double({ min: 0, max: 0.49, noNaN: true }),
    separator: fc.option(fc.constantFrom("|", "||", "\n"), { nil: undefined }),
  })
  .map(({ maxTokens, overlapShare, separator }) => ({
    ...AUTOMATIC_RULE,
    mode: separator === undefined ? "automatic" : "custom",
    maxTokens,
    overlap: Math.floor(maxTokens * overlapShare),
    ...(separator === undefined ? {} : { separator }),
  }));

// ---------------------------------------------------------------- splitBlocks: properties

describe("splitBlocks properties", () => {
  it("keeps every chunk within maxTokens by a fresh count, and no chunk is blank", () => {
    fc.assert(
      fc.property(fc.array(blockText, { maxLength: 12 }), rule, (texts, processRule) => {
        for (const chunk of splitBlocks(blocksOf(texts), processRule)) {
          const fresh = countTokens(chunk.content);
          expect(chunk.tokens).toBe(fresh);
          expect(fresh).toBeLessThanOrEqual(processRule.maxTokens);
          expect(chunk.content.trim()).not.toBe("");
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("loses no text, keeps it in order, and overlaps by at most rule.overlap tokens", () => {
    fc.assert(
      fc.property(fc.array(blockText, { maxLength: 12 }), rule, (texts, processRule) => {
        const chunks = splitBlocks(blocksOf(texts), processRule);
        const overlapUnits = alignChunks(withoutDroppable(texts.join("")), chunks);
        chunks.forEach((chunk, index) => {
          const overlapText = rawPrefix(chunk.content, overlapUnits[index] ?? 0);
          expect(countTokens(overlapText)).toBeLessThanOrEqual(processRule.overlap);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("anchors chunks to blocks in document order", () => {
    fc.assert(
      fc.property(fc.array(blockText, { maxLength: 12 }), rule, (texts, processRule) => {
        const blocks = blocksOf(texts);
        const positions = splitBlocks(blocks, processRule).map((chunk) =>
          blocks.findIndex((b) => b.blockId === chunk.blockId),
        );
        for (const [index, position] of positions.entries()) {
          const anchor = blocks[position];
          expect(anchor?.text.trim()).toBeTruthy();
          expect(position).toBeGreaterThanOrEqual(positions[index - 1] ?? 0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(fc.array(blockText, { maxLength: 8 }), rule, (texts, processRule) => {
        expect(splitBlocks(blocksOf(texts), processRule)).toEqual(splitBlocks(blocksOf(texts), processRule));
      }),
      { numRuns: 50 },
    );
  });
});

// ---------------------------------------------------------------- splitBlocks: examples

/** Numbered sentences: no two are alike, so an overlap can be measured by plain string matching. */
function numberedDocument(sentences: number, perBlock: number): ExtractedBlock[] {
  const texts: string[] = [];
  for (let first = 0; first < sentences; first += perBlock) {
    const count = Math.min(perBlock, sentences - first);
    texts.push(
      Array.from(
        { length: count },
        (_, i) => `Sentence ${first + i} explains how the sync keeps vectors fresh.`,
      ).join(" "),
    );
  }
  return texts.map((t, index) => block(t, index, ["Guide", `Part ${index}`]));
}

/** The longest suffix of `previous` that starts `next`. */
function sharedText(previous: string, next: string): string {
  for (let length = Math.min(previous.length, next.length); length > 0; length -= 1) {
    if (next.startsWith(previous.slice(-length))) return previous.slice(-length);
  }
  return "";
}

describe("splitBlocks examples", () => {
  it("turns a small document into one chunk anchored at its first block", () => {
    const blocks = [
      block("Welcome to the handbook.", 0, ["Handbook"]),
      block("   ", 1, ["Handbook"]),
      block("Read the sync section first.", 2, ["Handbook", "Sync"]),
    ];
    const chunks = splitBlocks(blocks, AUTOMATIC_RULE);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toEqual({
      content: "Welcome to the handbook.\n\nRead the sync section first.",
      tokens: countTokens("Welcome to the handbook.\n\nRead the sync section first."),
      blockId: "block-0",
      sourceUrl: "https://notion.so/page#block-0",
      headingPath: ["Handbook"],
    });
  });

  it("splits a 2,000-token document into several chunks that overlap by up to 50 tokens", () => {
    const blocks = numberedDocument(185, 6);
    expect(countTokens(blocks.map((b) => b.text).join("\n\n"))).toBeGreaterThan(2000);
    const chunks = splitBlocks(blocks, AUTOMATIC_RULE);
    expect(chunks.length).toBeGreaterThanOrEqual(5);
    for (const [index, chunk] of chunks.entries()) {
      expect(chunk.tokens).toBeLessThanOrEqual(500);
      expect(chunk.tokens).toBeGreaterThan(index === chunks.length - 1 ? 0 : 300);
      const previous = chunks[index - 1];
      if (previous === undefined) continue;
      const overlap = countTokens(sharedText(previous.content, chunk.content));
      expect(overlap).toBeGreaterThan(0);
      expect(overlap).toBeLessThanOrEqual(50);
    }
    expect(chunks[0]?.headingPath).toEqual(["Guide", "Part 0"]);
  });

  it("makes no overlap when the rule says zero", () => {
    const chunks = splitBlocks(numberedDocument(170, 6), { ...AUTOMATIC_RULE, overlap: 0 });
    for (const [index, chunk] of chunks.entries()) {
      const previous = chunks[index - 1];
      if (previous !== undefined) expect(sharedText(previous.content, chunk.content)).toBe("");
    }
  });

  it("keeps a block that fits whole rather than splitting it across chunks", () => {
    const paragraph = "Every word here belongs to one block that fits in a chunk. ".repeat(15).trim();
    const chunks = splitBlocks(blocksOf([paragraph, paragraph, paragraph]), {
      ...AUTOMATIC_RULE,
      overlap: 0,
    });
    expect(chunks.map((c) => c.content)).toEqual([`${paragraph}\n\n${paragraph}`, paragraph]);
  });

  it("splits an oversized block at paragraphs before sentences", () => {
    const paragraph = (n: number) => `Paragraph ${n} says something short. It has two sentences.`;
    const text = Array.from({ length: 60 }, (_, n) => paragraph(n)).join("\n\n");
    const chunks = splitBlocks([block(text)], { ...AUTOMATIC_RULE, maxTokens: 100, overlap: 0 });
    for (const chunk of chunks) {
      expect(chunk.content.startsWith("Paragraph")).toBe(true);
      expect(chunk.content.endsWith("two sentences.")).toBe(true);
    }
  });

  it("tries the custom separator first", () => {
    const text = Array.from({ length: 40 }, (_, n) => `item ${n} with some words`).join(" ### ");
    const chunks = splitBlocks([block(text)], {
      ...AUTOMATIC_RULE,
      mode: "custom",
      separator: "###",
      maxTokens: 50,
      overlap: 0,
    });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks)
      expect(chunk.content).toMatch(/^item \d+ with some words( ### item \d+ with some words)* ?$/);
  });

  it("cuts a single word larger than the limit by tokens, losing nothing", () => {
    const huge = "x".repeat(5000) + "漢字".repeat(400) + "😀".repeat(100);
    const chunks = splitBlocks([block(huge)], { ...AUTOMATIC_RULE, maxTokens: 200, overlap: 0 });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.content).join("")).toBe(huge);
    for (const chunk of chunks) expect(countTokens(chunk.content)).toBeLessThanOrEqual(200);
  });

  it("returns no chunks for blank blocks", () => {
    expect(splitBlocks(blocksOf(["", "  \n\t", "\n\n"]), AUTOMATIC_RULE)).toEqual([]);
    expect(splitBlocks([], AUTOMATIC_RULE)).toEqual([]);
  });
});

// ---------------------------------------------------------------- validateProcessRule

describe("validateProcessRule", () => {
  it("accepts the automatic rule and returns it", () => {
    expect(validateProcessRule(AUTOMATIC_RULE)).toBe(AUTOMATIC_RULE);
  });

  it.each([
    [{ maxTokens: 49 }, /maxTokens must be an integer from 50 to 8000, got 49/],
    [{ maxTokens: 8001 }, /maxTokens/],
    [{ maxTokens: 100.5 }, /maxTokens/],
    [{ maxTokens: Number.NaN }, /maxTokens/],
    [{ overlap: -1 }, /overlap must be a non-negative integer/],
    [{ overlap: 250 }, /overlap must be less than half of maxTokens \(500\), got 250/],
    [{ overlap: 1.5 }, /overlap/],
    [{ mode: "custom", separator: "" }, /separator must be a non-empty string/],
    [{ mode: "smart" }, /mode must be/],
    [{ removeExtraSpaces: "yes" }, /booleans/],
  ])("rejects %o", (patch, reason) => {
    const bad = { ...AUTOMATIC_RULE, ...patch } as ProcessRule;
    expect(() => validateProcessRule(bad)).toThrow(PermanentError);
    expect(() => validateProcessRule(bad)).toThrow(reason);
    expect(() => splitBlocks([block("text")], bad)).toThrow(PermanentError);
  });
});

// ---------------------------------------------------------------- tokenizer

describe("tokenizer", () => {
  it("counts cl100k_base tokens and treats special-token text as plain text", () => {
    expect(countTokens("")).toBe(0);
    expect(countTokens("hello world")).toBe(2);
    expect(countTokens("<|endoftext|>")).toBeGreaterThan(1);
  });

  it("tokenPrefix returns a non-empty prefix within the limit, cut between code points", () => {
    fc.assert(
      fc.property(text(300), fc.integer({ min: 4, max: 200 }), (t, limit) => {
        fc.pre(t !== "");
        const { prefix, tokens } = tokenPrefix(t, limit);
        expect(t.startsWith(prefix)).toBe(true);
        expect(prefix).not.toBe("");
        expect(tokens).toBe(countTokens(prefix));
        expect(tokens).toBeLessThanOrEqual(limit);
        expect(/[\uD800-\uDBFF]$/.test(prefix)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("counts words by whitespace and CJK characters one each", () => {
    expect(countWords("hello  world\n\tagain")).toBe(3);
    expect(countWords("你好世界")).toBe(4);
    expect(countWords("Notion と 同期 sync。")).toBe(5);
    expect(countWords(" — - 。 ")).toBe(0);
    expect(countWords("")).toBe(0);
  });
});

// ---------------------------------------------------------------- cleanText

const BOTH: Pick<ProcessRule, "removeExtraSpaces" | "removeUrlsEmails"> = {
  removeExtraSpaces: true,
  removeUrlsEmails: true,
};
const NEITHER = { removeExtraSpaces: false, removeUrlsEmails: false };
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const anyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: anyCodeUnit, maxLength: 200 }),
  fc.string({
    unit: fc.constantFrom(" ", "\t", "\n", "\r", "\r\n", "\u0000", "\u0085", "\uD83D", "a", "@", "."),
    maxLength: 200,
  }),
);
const flags = fc.record({ removeExtraSpaces: fc.boolean(), removeUrlsEmails: fc.boolean() });
// biome-ignore lint/suspicious/noControlCharactersInRegex: checking that control characters are gone
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("cleanText", () => {
  it("never throws, and always removes control characters, \\r and lone surrogates", () => {
    fc.assert(
      fc.property(anyString, flags, (input, rule) => {
        const cleaned = cleanText(input, rule);
        expect(CONTROL.test(cleaned)).toBe(false);
        expect(LONE_SURROGATE.test(cleaned)).toBe(false);
        expect(cleaned.includes("\r")).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("collapses extra spaces and newlines when asked, and is then idempotent", () => {
    fc.assert(
      fc.property(anyString, (input) => {
        const rule = { removeExtraSpaces: true, removeUrlsEmails: false };
        const cleaned = cleanText(input, rule);
        // Runs inside a line collapse; indentation at a line's start is structure and stays.
        expect(cleaned).not.toMatch(/\S[ \t]{2}|\n{3}|[ \t]\n|[ \t]$/);
        expect(cleanText(cleaned, rule)).toBe(cleaned);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the indentation that nests list items, toggle children and code", () => {
    const rule = { removeExtraSpaces: true, removeUrlsEmails: false };
    const text = "- Parent   item\n  - Child item\n    - Grandchild\n```\n    indented code\n```";
    expect(cleanText(text, rule)).toBe(
      "- Parent item\n  - Child item\n    - Grandchild\n```\n    indented code\n```",
    );
  });

  it("removes URLs and email addresses when asked, keeping link labels", () => {
    const fragment = fc.constantFrom(
      "https://example.com/a?b=1",
      "http://example.com",
      "www.example.com/page",
      "me@example.com",
      "first.last+tag@mail.example.com",
      "[the docs](https://example.com/docs)",
      "see",
      "\n",
      ".",
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 30 }), (fragments) => {
        const cleaned = cleanText(fragments.join(" "), BOTH);
        expect(cleaned).not.toMatch(/example\.com|@/);
        if (fragments.includes("[the docs](https://example.com/docs)")) expect(cleaned).toContain("the docs");
      }),
      { numRuns: RUNS },
    );
  });

  it("cleans a typical text", () => {
    const input = "Intro\r\n\r\n\r\n\r\nMail  me@example.com or see https://example.com/x.\u0007\tDone ";
    expect(cleanText(input, BOTH)).toBe("Intro\n\nMail or see .\tDone");
    expect(cleanText(input, NEITHER)).toBe(
      "Intro\n\n\n\nMail  me@example.com or see https://example.com/x.\tDone ",
    );
  });

  it("stays fast on adversarial input", () => {
    const inputs = [
      `${"a".repeat(100_000)}@`,
      `${" ".repeat(100_000)}x`,
      `http://${".".repeat(100_000)}`,
      "[".repeat(100_000),
      `${"a.".repeat(50_000)}@b`,
      "\n \n".repeat(50_000),
    ];
    const started = performance.now();
    for (const input of inputs) cleanText(input, BOTH);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
