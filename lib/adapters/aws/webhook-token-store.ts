/**
 * Webhook verification tokens in Secrets Manager: one secret per binding,
 * `<prefix><tenant>/<workspace>` (the prefix is the stack's webhook prefix, which the webhook
 * function alone may read and create under). CreateSecret is atomic, so "store it only if there
 * is none yet" needs no read first and no lock. Reads are cached briefly: a burst of events costs
 * one GetSecretValue.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import type { WebhookTokenStore } from "../../core/ports.js";
import { secretsManagerError } from "./secrets-manager-errors.js";

export interface WebhookTokenStoreOptions {
  /** Secret name prefix ending in "/". */
  prefix: string;
  /** How long a read (a token, or its absence) is reused. Default one minute. */
  ttlMs?: number;
  now?: () => number;
}

/** Secret names allow letters, digits and /_+=.@- but not ":" (as in `connect`): "=" stands in. */
function segment(id: string): string {
  return id.replaceAll(":", "=");
}

export function webhookTokenSecretName(prefix: string, tenantId: string, workspaceId: string): string {
  return `${prefix}${segment(tenantId)}/${segment(workspaceId)}`;
}

export function createWebhookTokenStore(
  client: SecretsManagerClient,
  options: WebhookTokenStoreOptions,
): WebhookTokenStore {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { value: string | undefined; expiresAt: number }>();
  const name = (tenantId: string, workspaceId: string) =>
    webhookTokenSecretName(options.prefix, tenantId, workspaceId);

  return {
    async getToken(tenantId, workspaceId) {
      const secretId = name(tenantId, workspaceId);
      const cached = cache.get(secretId);
      if (cached && cached.expiresAt > now()) return cached.value;
      let value: string | undefined;
      try {
        const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
        value = result.SecretString || undefined;
      } catch (error) {
        if (!(error instanceof Error && error.name === "ResourceNotFoundException")) {
          throw secretsManagerError(secretId, error);
        }
      }
      cache.set(secretId, { value, expiresAt: now() + ttlMs });
      return value;
    },

    async createToken(tenantId, workspaceId, token) {
      const secretId = name(tenantId, workspaceId);
      try {
        await client.send(
          new CreateSecretCommand({
            Name: secretId,
            SecretString: token,
            Description: `Notion webhook verification token of tenant ${tenantId}, workspace ${workspaceId}`,
          }),
        );
      } catch (error) {
        if (error instanceof Error && error.name === "ResourceExistsException") return false;
        throw secretsManagerError(secretId, error);
      }
      cache.delete(secretId);
      return true;
    },

    async replaceToken(tenantId, workspaceId, token) {
      const secretId = name(tenantId, workspaceId);
      try {
        await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: token }));
      } catch (error) {
        throw secretsManagerError(secretId, error);
      }
      cache.delete(secretId);
    },
  };
}
