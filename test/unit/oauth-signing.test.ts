/** The OAuth flow's signed values (lib/oauth/signing.ts): tampering, expiry, tenants, and their keys. */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { accessTokenOf, storedTokenValue } from "../../lib/core/binding-connection.js";
import {
  newNonce,
  signedStartLink,
  signState,
  startLinkSignature,
  verifyStartLink,
  verifyState,
} from "../../lib/oauth/signing.js";

// Made at run time: no key-shaped literal is committed.
const KEY = randomBytes(32).toString("hex");
const OTHER_KEY = randomBytes(32).toString("hex");
const NOW = new Date("2025-06-01T12:00:00Z");
const inTenMinutes = Math.floor(NOW.getTime() / 1000) + 600;

describe("OAuth state", () => {
  const state = { tenantId: "acme", nonce: newNonce(), expiresAt: inTenMinutes };

  it("round-trips tenant, nonce and expiry", () => {
    expect(verifyState(signState(state, KEY), KEY, NOW)).toEqual({ ok: true, value: state });
  });

  it("refuses a state whose tenant was changed (the signature no longer holds)", () => {
    const [payload, signature] = signState(state, KEY).split(".");
    const decoded = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8"));
    const swapped = Buffer.from(JSON.stringify({ ...decoded, t: "globex" })).toString("base64url");
    const result = verifyState(`${swapped}.${signature}`, KEY, NOW);
    expect(result).toEqual({ ok: false, reason: "the state's signature does not match" });
  });

  it("refuses a state signed with another key, a cut signature, and junk", () => {
    expect(verifyState(signState(state, OTHER_KEY), KEY, NOW).ok).toBe(false);
    expect(verifyState(signState(state, KEY).slice(0, -2), KEY, NOW).ok).toBe(false);
    for (const junk of ["", ".", "a.b.c", "x".repeat(2000)])
      expect(verifyState(junk, KEY, NOW).ok).toBe(false);
  });

  it("refuses an expired state, at its expiry and after", () => {
    const at = new Date(inTenMinutes * 1000);
    expect(verifyState(signState(state, KEY), KEY, at)).toEqual({
      ok: false,
      reason: "the state has expired: start again",
    });
  });
});

describe("start links", () => {
  it("verify for their tenant until they expire", () => {
    const url = new URL(signedStartLink("http://127.0.0.1:1/", "acme", inTenMinutes, KEY));
    expect(url.pathname).toBe("/oauth/start");
    const params = { tenant: "acme", expires: String(inTenMinutes), sig: url.searchParams.get("sig") };
    expect(verifyStartLink(params, KEY, NOW)).toEqual({
      ok: true,
      value: { tenantId: "acme", expiresAt: inTenMinutes },
    });
    expect(verifyStartLink({ ...params, tenant: "globex" }, KEY, NOW).ok).toBe(false);
    expect(verifyStartLink({ ...params, expires: String(inTenMinutes + 3600) }, KEY, NOW).ok).toBe(false);
    expect(verifyStartLink(params, OTHER_KEY, NOW).ok).toBe(false);
    expect(verifyStartLink(params, KEY, new Date(inTenMinutes * 1000 + 1)).ok).toBe(false);
  });

  it("never pass for a state, nor a state for a link (labelled HMACs)", () => {
    const signature = startLinkSignature("acme", inTenMinutes, KEY);
    const payload = Buffer.from(JSON.stringify({ t: "acme", n: newNonce(), e: inTenMinutes })).toString(
      "base64url",
    );
    expect(verifyState(`${payload}.${signature}`, KEY, NOW).ok).toBe(false);
  });
});

describe("stored OAuth tokens", () => {
  const access = `ntn_${randomBytes(20).toString("hex")}`;
  it("are the plain token without a refresh token, JSON with one; the reader takes both", () => {
    expect(storedTokenValue({ accessToken: access })).toBe(access);
    const both = storedTokenValue({ accessToken: access, refreshToken: "r".repeat(30) });
    expect(JSON.parse(both)).toEqual({ accessToken: access, refreshToken: "r".repeat(30) });
    expect(accessTokenOf(both)).toBe(access);
    expect(accessTokenOf(access)).toBe(access);
    expect(() => accessTokenOf("{not json")).toThrow(/neither/);
  });
});
