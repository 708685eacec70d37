/**
 * The SecretStore the adapters use: Secrets Manager, and nothing else (see ./secret-ref.ts for why
 * there is no `env:`). The client is built on first use, so a process that never reads a binding's
 * token never builds it.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SecretStore } from "../../core/ports.js";
import { createSecretsManagerStore, type SecretsManagerStoreOptions } from "./secrets-manager-store.js";

export interface SecretStoreOptions extends SecretsManagerStoreOptions {
  secretsManager: () => SecretsManagerClient;
}

export function createSecretStore(options: SecretStoreOptions): SecretStore {
  let store: SecretStore | undefined;
  return {
    async getSecret(ref, getOptions) {
      store ??= createSecretsManagerStore(options.secretsManager(), options);
      return store.getSecret(ref, getOptions);
    },
  };
}
