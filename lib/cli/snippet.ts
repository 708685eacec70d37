/**
 * The part of a matched chunk worth showing on one line: a window around where the query's words
 * occur most densely (a vector match has no "matched span", but the words usually point at it),
 * with "…" where the chunk was cut. Short chunks are shown whole.
 */
const STOP_WORDS = new Set([
  "the",
  "and",
  "for",
  "who",
  "what",
  "when",
  "how",
  "does",
  "with",
  "this",
  "that",
]);

export function snippet(content: string, query: string, width = 200): string {
  const flat = content.replace(/\s+/g, " ").trim();
  if (flat.length <= width) return flat;
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])].filter(
    (word) => !STOP_WORDS.has(word),
  );
  const lower = flat.toLowerCase();
  const hits = words.flatMap((word) =>
    [...lower.matchAll(new RegExp(escape(word), "g"))].map((m) => m.index),
  );
  const start =
    hits.length === 0
      ? 0
      : densestWindowStart(
          hits.sort((a, b) => a - b),
          flat.length,
          width,
        );
  const end = Math.min(flat.length, start + width);
  return `${start > 0 ? "…" : ""}${flat.slice(start, end).trim()}${end < flat.length ? "…" : ""}`;
}

/** Where a `width`-character window holding the most hits starts, centred on those hits. */
function densestWindowStart(hits: number[], length: number, width: number): number {
  let best = { count: 0, first: 0, last: 0 };
  for (let i = 0, j = 0; i < hits.length; i += 1) {
    while ((hits[i] ?? 0) - (hits[j] ?? 0) > width * 0.8) j += 1;
    if (i - j + 1 > best.count) best = { count: i - j + 1, first: hits[j] ?? 0, last: hits[i] ?? 0 };
  }
  const centre = Math.round((best.first + best.last) / 2);
  return Math.max(0, Math.min(length - width, centre - Math.floor(width / 2)));
}
