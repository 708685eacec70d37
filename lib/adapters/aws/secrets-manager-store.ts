/**
 * SecretStore on Secrets Manager for `secretsmanager:` references, with a short-lived cache: one
 * GetSecretValue per secret per TTL however many records of a batch need it, and a reconnected
 * token (a new secret value) is picked up within the TTL without a redeploy.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SecretStore } from "../../core/ports.js";
import { parseSecretRef } from "../../core/secret-ref.js";
import { PermanentError } from "../../shared/errors.js";
import { secretsManagerError } from "./secrets-manager-errors.js";

/** Long enough to spare a call per record, short enough for a rotated token to take effect soon. */
export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;

export interface SecretsManagerStoreOptions {
  ttlMs?: number;
  now?: () => number;
}

interface CacheEntry {
  value: Promise<string>;
  expiresAt: number;
  readAt: number;
}

export function createSecretsManagerStore(
  client: SecretsManagerClient,
  options: SecretsManagerStoreOptions = {},
): SecretStore {
  const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();

  return {
    getSecret(ref, getOptions) {
      let secretId: string;
      try {
        ({ secretId } = parseSecretRef(ref));
      } catch (error) {
        return Promise.reject(error);
      }
      const cached = cache.get(secretId);
      const freshAfter =
        getOptions?.freshAfter === undefined ? Number.NaN : Date.parse(getOptions.freshAfter);
      const stale = cached !== undefined && freshAfter >= cached.readAt;
      if (cached && cached.expiresAt > now() && !stale) return cached.value;
      // The promise itself is cached, so concurrent readers share one request.
      const value = readSecretString(client, secretId);
      cache.set(secretId, { value, expiresAt: now() + ttlMs, readAt: now() });
      // A failure is never cached: the next reader tries again.
      value.catch(() => {
        if (cache.get(secretId)?.value === value) cache.delete(secretId);
      });
      return value;
    },
  };
}

/** GetSecretValue as a string, with failures mapped to permanent or retryable errors. */
export async function readSecretString(client: SecretsManagerClient, secretId: string): Promise<string> {
  let secretString: string | undefined;
  try {
    ({ SecretString: secretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId })));
  } catch (error) {
    throw secretsManagerError(secretId, error);
  }
  if (!secretString) throw new PermanentError(`secret ${secretId} has no string value`);
  return secretString;
}
