/**
 * The SecretStore the adapters use: routes a reference by its scheme, `env:` to the environment and
 * `secretsmanager:` to Secrets Manager. The Secrets Manager client is built on first use, so the
 * local stack, which only has `env:` references, never needs AWS.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createEnvSecretStore } from "../adapters/env-secret-store.js";
import type { SecretStore } from "../ports.js";
import { parseSecretRef } from "./secret-ref.js";
import { createSecretsManagerStore, type SecretsManagerStoreOptions } from "./secrets-manager-store.js";

export interface SecretStoreOptions extends SecretsManagerStoreOptions {
  env?: NodeJS.ProcessEnv;
  secretsManager: () => SecretsManagerClient;
}

export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const envStore = createEnvSecretStore(options.env);
  let secretsManagerStore: SecretStore | undefined;
  return {
    async getSecret(ref) {
      if (parseSecretRef(ref).scheme === "env") return envStore.getSecret(ref);
      secretsManagerStore ??= createSecretsManagerStore(options.secretsManager(), options);
      return secretsManagerStore.getSecret(ref);
    },
  };
}
