/**
 * How long a server asked us to wait, in milliseconds: `Retry-After` as seconds or as an HTTP date
 * (RFC 9110), or `retry-after-ms` (OpenAI's). The one parser: every client that reads the header uses it.
 */

/** A response's headers, as fetch, the Notion client and the OpenAI client each hand them over. */
export interface HeaderReader {
  get(name: string): string | null | undefined;
}

/** The wait the headers ask for, or undefined when they ask none (or say nothing readable). */
export function retryAfterMs(headers: HeaderReader | undefined, now = Date.now()): number | undefined {
  if (typeof headers?.get !== "function") return undefined;
  const millis = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(millis) && millis >= 0) return millis;
  return parseRetryAfter(headers.get("retry-after"), now);
}

/** One `Retry-After` value in milliseconds: delay-seconds or an HTTP date (a past date is no wait). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
