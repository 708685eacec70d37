/**
 * Checks that chunks cover a text in order, losing nothing, and measures how much each repeats of the
 * ones before it (its overlap). Shared by the chunking property tests.
 */
import { expect } from "vitest";

/** Text a chunk boundary may drop: whitespace, and the custom separator characters used below. */
export function withoutDroppable(text: string): string {
  return text.replace(/[\s|]/gu, "");
}

/**
 * Aligns each chunk (with droppable characters removed) to the source text: every chunk must start
 * within what is already covered (no gap) and not before the previous chunk (in order), and together
 * they must reach the end (no text lost). Returns, per chunk, how many source UTF-16 units it repeats
 * from the ones before it (the smallest consistent overlap).
 */
export function alignChunks(source: string, chunks: { content: string }[]): number[] {
  const overlaps: number[] = [];
  let covered = 0;
  let previousStart = 0;
  for (const chunk of chunks) {
    const text = withoutDroppable(chunk.content);
    let start = Math.min(covered, source.length - text.length);
    while (start >= previousStart && !source.startsWith(text, start)) start -= 1;
    if (start < previousStart) throw new Error(`chunk not found in order after ${covered}: ${chunk.content}`);
    overlaps.push(covered - start);
    previousStart = start;
    covered = Math.max(covered, start + text.length);
  }
  expect(covered).toBe(source.length);
  return overlaps;
}

/** The shortest prefix of `content` holding `units` UTF-16 units of non-droppable text. */
export function rawPrefix(content: string, units: number): string {
  let seen = 0;
  let end = 0;
  for (const char of content) {
    if (seen >= units) break;
    end += char.length;
    seen += withoutDroppable(char).length;
  }
  return content.slice(0, end);
}
