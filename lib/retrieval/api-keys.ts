/**
 * Query API keys: `nis_<keyId>_<secret>`. The key id finds the record; the secret (32 random bytes)
 * is kept only as its sha256: a secret this long needs no slow hash, since it cannot be guessed,
 * and a leaked table gives no usable key. The presented secret's hash is compared in constant time,
 * and a missing key costs the same comparison, so timing tells nothing.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiKeyRecord, ApiKeyStore } from "../core/ports.js";
import { ApiError } from "./api-error.js";
import type { Access } from "./retrieve.js";

const KEY_PATTERN = /^nis_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** Compared against when there is no record, so that a wrong id takes as long as a wrong secret. */
const NO_HASH = "0".repeat(64);

export interface NewApiKey {
  /** Shown once, to whoever created it; never stored, never logged. */
  key: string;
  record: ApiKeyRecord;
}

export function newApiKey(
  owner: { tenantId: string; datasetIds?: string[]; name?: string; mayConnectNotion?: boolean },
  now: Date,
): NewApiKey {
  const keyId = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  const record: ApiKeyRecord = {
    keyId,
    tenantId: owner.tenantId,
    ...(owner.datasetIds && owner.datasetIds.length > 0 ? { datasetIds: owner.datasetIds } : {}),
    ...(owner.name ? { name: owner.name } : {}),
    ...(owner.mayConnectNotion ? { mayConnectNotion: true } : {}),
    secretHash: hashSecret(secret),
    createdAt: now.toISOString(),
  };
  return { key: `nis_${keyId}_${secret}`, record };
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The key's id, for logs and `apikey revoke`: never the secret. */
export function keyIdOf(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

export interface KeyAccess extends Access {
  keyId: string;
  /** May start a Notion OAuth flow for its tenant (lib/oauth). */
  mayConnectNotion?: boolean;
}

/** The access an `Authorization` header grants; 401 with the reason when it grants none. */
export async function authenticate(keys: ApiKeyStore, authorization: string | undefined): Promise<KeyAccess> {
  if (authorization === undefined || authorization.trim() === "")
    throw new ApiError("unauthorized", "no API key: send Authorization: Bearer <key>");
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!bearer) throw new ApiError("unauthorized", "the Authorization header must be Bearer <key>");
  const parts = KEY_PATTERN.exec(bearer[1] as string);
  if (!parts) throw new ApiError("unauthorized", "the API key is not valid");
  const [, keyId, secret] = parts as unknown as [string, string, string];
  const record = await keys.get(keyId);
  const stored = record && /^[0-9a-f]{64}$/.test(record.secretHash) ? record.secretHash : NO_HASH;
  const matches = timingSafeEqual(Buffer.from(hashSecret(secret), "hex"), Buffer.from(stored, "hex"));
  if (!record || !matches) throw new ApiError("unauthorized", "the API key is not valid");
  if (record.revokedAt !== undefined) throw new ApiError("unauthorized", "the API key was revoked");
  return {
    keyId,
    tenantId: record.tenantId,
    ...(record.datasetIds === undefined ? {} : { datasetIds: record.datasetIds }),
    ...(record.mayConnectNotion === true ? { mayConnectNotion: true } : {}),
  };
}
