/**
 * Text from Notion can hold lone UTF-16 surrogates (half of an emoji cut by an API or an editor). They
 * are not Unicode: UTF-8 encoders, SQS, DynamoDB and Pinecone reject or silently rewrite them, so a
 * chunk's hash would not match what the index stores. Extraction replaces each with U+FFFD, as
 * `TextEncoder` and `String.prototype.toWellFormed` do, so every text it returns is well-formed.
 */

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ANY_SURROGATE = /[\uD800-\uDFFF]/;

export const REPLACEMENT_CHARACTER = "\uFFFD";

export function wellFormed(text: string): string {
  // Most text has no surrogate at all: one scan, no copy.
  if (!ANY_SURROGATE.test(text)) return text;
  return text.replace(LONE_SURROGATE, REPLACEMENT_CHARACTER);
}
