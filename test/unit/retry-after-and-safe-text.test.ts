/** The one Retry-After parser and the one redactor that every client and entry point uses. */
import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryAfterMs } from "../../lib/core/retry-after.js";
import { safeErrorText, safeOneLine } from "../../lib/core/safe-text.js";

describe("Retry-After", () => {
  const now = Date.parse("2026-12-04T09:00:00Z");

  it("reads delay-seconds, fractions included", () => {
    expect(parseRetryAfter("2", now)).toBe(2000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("0", now)).toBe(0);
  });

  it("reads an HTTP date, and a date already past is no wait", () => {
    expect(parseRetryAfter("Fri, 04 Dec 2026 09:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Fri, 04 Dec 2026 08:59:00 GMT", now)).toBe(0);
  });

  it("says nothing for an absent, empty, negative or unreadable value", () => {
    for (const value of [null, undefined, "", "  ", "-3", "soon"])
      expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it("prefers retry-after-ms when a server sends both", () => {
    const headers = new Headers({ "retry-after-ms": "250", "retry-after": "9" });
    expect(retryAfterMs(headers, now)).toBe(250);
    expect(retryAfterMs(new Headers({ "retry-after": "9" }), now)).toBe(9000);
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe("safe text", () => {
  it("removes every secret, even one echoed twice, and keeps one line", () => {
    const text = "bad key sk-secret-123\n\tsent sk-secret-123 again";
    expect(safeOneLine(text, ["sk-secret-123"])).toBe("bad key *** sent *** again");
  });

  it("bounds the length and ignores secrets too short to be real", () => {
    expect(safeOneLine("x".repeat(400))).toBe(`${"x".repeat(300)}…`);
    // A retrieval API key keeps its id, never its secret, wherever it turns up.
    const key = `nis_0123456789abcdef_${"A".repeat(43)}`;
    expect(safeOneLine(`refused ${key} today`)).toBe("refused nis_0123456789abcdef_*** today");
    expect(safeOneLine("abc abc", ["abc"])).toBe("abc abc");
  });

  it("replaces characters SQS refuses in an attribute, and never cuts a surrogate pair", () => {
    expect(safeOneLine("a\u0001b\ud800c")).toBe("a\uFFFDb\uFFFDc");
    expect(safeOneLine("😀😀😀", [], 2)).toBe("😀😀…");
  });

  it("removes credentials by their shapes even when the caller does not hold them, keeping the kind", () => {
    // Shaped like credentials, built at run time so that no such literal is committed.
    const tail = "abcdefghijklmnopqrstuvwxyz0123456789";
    const text = `tokens secret_${tail}, ntn_${tail}, pcsk_4kXq2_${tail}, sk-proj-${tail}`;
    expect(safeOneLine(text)).toBe("tokens secret_***, ntn_***, pcsk_***, sk-proj-***");
    // Words that merely start alike stay.
    expect(safeOneLine("a secret_key setting and sk-learn")).toBe("a secret_key setting and sk-learn");
  });

  it("names the error", () => {
    expect(safeErrorText(new TypeError("no\nway"))).toBe("TypeError: no way");
  });
});
