import { createHash } from "node:crypto";
import type { ExtractedDocument } from "../core/ports.js";

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Hash of everything extracted from a page: equal hashes mean there is nothing to re-index. */
export function contentHash(extracted: ExtractedDocument): string {
  const hash = createHash("sha256").update(extracted.title);
  for (const block of extracted.blocks)
    hash.update("\u0000").update(block.blockId).update("\u0001").update(block.text);
  return hash.digest("hex");
}
