/**
 * The secret segment of a binding's webhook URL. Notion's handshake is unsigned and its first signed
 * event pins the binding's workspace, so whoever can reach the URL first could own the binding: the
 * URL itself must be unguessable. 32 random bytes (256 bits), base64url: 43 characters.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export const PATH_SECRET = /^[A-Za-z0-9_-]{43}$/;

export function newPathSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** Constant-time comparison, so response timing reveals nothing of the expected secret. */
export function pathSecretMatches(expected: string | undefined, given: string): boolean {
  if (expected === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
