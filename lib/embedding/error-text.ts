/**
 * Error text that is safe to log and show: one line, bounded, and with every secret removed even
 * if a server echoed it back.
 */
const MAX_MESSAGE_LENGTH = 300;

export function safeOneLine(text: string, secrets: readonly (string | undefined)[] = []): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) redacted = redacted.split(secret).join("***");
  }
  const flat = redacted.replace(/\s+/g, " ").trim();
  return flat.length > MAX_MESSAGE_LENGTH ? `${flat.slice(0, MAX_MESSAGE_LENGTH)}…` : flat;
}

/** Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date); undefined when absent. */
export function retryAfterSeconds(headers: Pick<Headers, "get"> | undefined): number | undefined {
  const millis = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(millis) && millis >= 0) return millis / 1000;
  const header = headers?.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}
