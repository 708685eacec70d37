/**
 * Text that is safe to log, show or put in a message attribute: every secret removed (even one a
 * server echoed back), one line, bounded, and only characters SQS accepts in a String attribute (a
 * parser's message may quote a `\u0001` or a lone surrogate, and SQS would refuse the dead letter).
 * The one redactor: every error message that leaves a function or the CLI goes through it.
 */

/** The default bound: a log line or a status reason, not a page. */
export const SAFE_TEXT_LENGTH = 300;
/** A retrieval API key (lib/retrieval/api-keys.ts): its id may show, its secret never. */
const API_KEY_SECRET = /\b(nis_[0-9a-f]{16}_)[A-Za-z0-9_-]{43}/g;
/**
 * Credentials by their published shapes, for text whose secrets the caller does not hold (a dead
 * letter's body, read by the CLI of another machine): Notion integration tokens (`secret_…`,
 * `ntn_…`), Pinecone keys (`pcsk_…`) and OpenAI keys (`sk-…`). The prefix stays, to say which kind.
 */
const TOKEN_SHAPES = /\b(secret_|ntn_|pcsk_|sk-(?:proj-)?)[A-Za-z0-9_-]{20,}/g;

export function safeOneLine(
  text: string,
  secrets: readonly (string | undefined)[] = [],
  maxLength = SAFE_TEXT_LENGTH,
): string {
  let redacted = text;
  for (const secret of secrets) {
    // Shorter values would match ordinary text; no real token or key is that short.
    if (secret && secret.length >= 4) redacted = redacted.split(secret).join("***");
  }
  redacted = redacted.replace(API_KEY_SECRET, "$1***").replace(TOKEN_SHAPES, "$1***");
  const flat = redacted.replace(/\s+/g, " ").trim();
  // By code points, so a surrogate pair is never cut in half.
  const characters = Array.from(flat);
  const bounded = characters.length > maxLength ? `${characters.slice(0, maxLength).join("")}…` : flat;
  return bounded.replace(/[^\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD");
}

/** An error as `Name: message`, made safe. */
export function safeErrorText(
  error: unknown,
  secrets: readonly (string | undefined)[] = [],
  maxLength?: number,
) {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return safeOneLine(text, secrets, maxLength);
}
