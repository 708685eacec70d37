/**
 * Pinecone allows 40 KB of metadata per vector. A chunk of a custom rule (up to 8,000 tokens) in a
 * script of 3-byte characters can be larger than that, so the copy of the text kept in the vector's
 * metadata is cut to a byte budget; the segment in DynamoDB keeps the whole text.
 */
export const MAX_METADATA_TEXT_BYTES = 32 * 1024;

export function metadataText(text: string): string {
  if (Buffer.byteLength(text, "utf8") <= MAX_METADATA_TEXT_BYTES) return text;
  // At most 3 bytes per UTF-16 code unit, so this many units always fit; never cut a surrogate pair.
  let cut = text.slice(0, Math.floor((MAX_METADATA_TEXT_BYTES - 3) / 3));
  // Take more while it fits, in steps, to keep as much as the budget allows for mostly-ASCII text.
  for (let step = 4096; step >= 1; step = Math.floor(step / 2)) {
    while (cut.length + step <= text.length) {
      const longer = text.slice(0, cut.length + step);
      if (Buffer.byteLength(longer, "utf8") + 3 > MAX_METADATA_TEXT_BYTES) break;
      cut = longer;
    }
  }
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
