/**
 * Finds a secret in captured text: the whole value, its distinctive tail (a truncated or masked
 * leak), and the encodings an HTTP client or logger could print it in (base64, URL-encoded, JSON).
 */
export function secretLeaks(text: string, secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    const forms = [
      value,
      value.slice(-12),
      Buffer.from(value).toString("base64"),
      Buffer.from(value).toString("base64").slice(0, 16),
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1),
    ];
    if (forms.some((form) => text.includes(form))) found.push(name);
  }
  return found;
}
