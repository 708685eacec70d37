/**
 * The OAuth flow's two signed values, both HMAC-SHA256 with the stack's state key (a secret the
 * stack generates; ADR 0016), each over its own labelled text so one can never pass for the other:
 * - the `state` Notion hands back to the callback: `<payload>.<signature>`, the payload base64url
 *   JSON `{t: tenant, n: nonce, e: expiry in epoch seconds}`;
 * - a start link's `sig` (`connect --oauth`): over the tenant and the link's expiry.
 * Signatures are compared in constant time.
 */

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { TENANT_ID_PATTERN } from "../core/ids.js";

export interface OAuthState {
  tenantId: string;
  /** 16 random bytes, hex: the key of the single-use item the callback consumes. */
  nonce: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export type Verified<T> = { ok: true; value: T } | { ok: false; reason: string };

const NONCE = /^[0-9a-f]{32}$/;

export function newNonce(): string {
  return randomBytes(16).toString("hex");
}

function hmac(key: string, label: string, text: string): Buffer {
  return createHmac("sha256", key).update(`${label}\n${text}`, "utf8").digest();
}

function sameSignature(expected: Buffer, given: string): boolean {
  const received = Buffer.from(given, "base64url");
  // A signature of another length is refused before the comparison (its length is no secret).
  return received.length === expected.length && timingSafeEqual(expected, received);
}

export function signState(state: OAuthState, key: string): string {
  const payload = Buffer.from(
    JSON.stringify({ t: state.tenantId, n: state.nonce, e: state.expiresAt }),
    "utf8",
  ).toString("base64url");
  return `${payload}.${hmac(key, "state", payload).toString("base64url")}`;
}

/** The state's tenant, nonce and expiry when its signature holds and it has not expired. */
export function verifyState(text: string, key: string, now: Date): Verified<OAuthState> {
  const [payload, signature, extra] = text.split(".");
  if (!payload || !signature || extra !== undefined || text.length > 1024) {
    return { ok: false, reason: "the state is malformed" };
  }
  if (!sameSignature(hmac(key, "state", payload), signature)) {
    return { ok: false, reason: "the state's signature does not match" };
  }
  let parsed: { t?: unknown; n?: unknown; e?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof parsed;
  } catch {
    return { ok: false, reason: "the state is malformed" };
  }
  const { t, n, e } = parsed;
  if (typeof t !== "string" || !TENANT_ID_PATTERN.test(t) || typeof n !== "string" || !NONCE.test(n)) {
    return { ok: false, reason: "the state is malformed" };
  }
  if (typeof e !== "number" || !Number.isInteger(e)) return { ok: false, reason: "the state is malformed" };
  if (e * 1000 <= now.getTime()) return { ok: false, reason: "the state has expired: start again" };
  return { ok: true, value: { tenantId: t, nonce: n, expiresAt: e } };
}

/** A start link's signature: the tenant and the link's expiry (epoch seconds). */
export function startLinkSignature(tenantId: string, expiresAt: number, key: string): string {
  return hmac(key, "start", `${tenantId}\n${expiresAt}`).toString("base64url");
}

export function verifyStartLink(
  params: { tenant: string | null; expires: string | null; sig: string | null },
  key: string,
  now: Date,
): Verified<{ tenantId: string; expiresAt: number }> {
  const { tenant, expires, sig } = params;
  if (!tenant || !TENANT_ID_PATTERN.test(tenant) || !expires || !/^\d{1,12}$/.test(expires) || !sig) {
    return { ok: false, reason: "the start link is malformed: print a new one with `connect --oauth`" };
  }
  const expiresAt = Number(expires);
  if (!sameSignature(Buffer.from(startLinkSignature(tenant, expiresAt, key), "base64url"), sig)) {
    return { ok: false, reason: "the start link's signature does not match" };
  }
  if (expiresAt * 1000 <= now.getTime()) {
    return { ok: false, reason: "the start link has expired: print a new one with `connect --oauth`" };
  }
  return { ok: true, value: { tenantId: tenant, expiresAt } };
}

/** `<oauthUrl>oauth/start?tenant=T&expires=E&sig=S`. */
export function signedStartLink(oauthUrl: string, tenantId: string, expiresAt: number, key: string): string {
  const url = new URL("oauth/start", oauthUrl.endsWith("/") ? oauthUrl : `${oauthUrl}/`);
  url.searchParams.set("tenant", tenantId);
  url.searchParams.set("expires", String(expiresAt));
  url.searchParams.set("sig", startLinkSignature(tenantId, expiresAt, key));
  return url.toString();
}
