/**
 * Notion signs every event (not the handshake) with `X-Notion-Signature: sha256=<hex>`: an
 * HMAC-SHA256 of the raw request body keyed by the subscription's verification token. The raw
 * bytes matter: re-serialised JSON would not match.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-notion-signature";
const PREFIX = "sha256=";

export function signBody(rawBody: Buffer | string, token: string): string {
  return `${PREFIX}${createHmac("sha256", token).update(rawBody).digest("hex")}`;
}

/**
 * Constant-time comparison of the expected and the received signature. timingSafeEqual needs equal
 * lengths, so a header of another length is refused before it is called (its length is no secret).
 */
export function signatureMatches(rawBody: Buffer | string, token: string, header: string): boolean {
  const expected = Buffer.from(signBody(rawBody, token), "utf8");
  const received = Buffer.from(header.trim().toLowerCase(), "utf8");
  return expected.length === received.length && timingSafeEqual(expected, received);
}
