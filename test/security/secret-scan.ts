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
      ...base64Forms(value),
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1),
    ];
    if (forms.some((form) => text.includes(form))) found.push(name);
  }
  return found;
}

/**
 * The secret inside any base64 text, wherever it starts: base64 works in 3-byte groups, so a secret
 * after 0, 1 or 2 other bytes (`Basic base64(user:secret)`, a JSON blob) gives three different
 * encodings. Of each, the characters that depend on the secret's bytes alone are kept: the first
 * one or two depend on the bytes before it, the last few on the bytes after.
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value);
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset, 0x78), bytes]).toString("base64");
    const start = Math.ceil((offset * 4) / 3);
    return encoded.slice(start, Math.max(start + 8, encoded.length - 4));
  });
}
