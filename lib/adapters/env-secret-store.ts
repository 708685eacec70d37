/**
 * SecretStore for local use: a reference `env:NAME` resolves to the environment variable NAME.
 * Deployed stacks resolve references from Secrets Manager instead.
 */
import { PermanentError } from "../errors.js";
import type { SecretStore } from "../ports.js";

export function createEnvSecretStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  return {
    async getSecret(ref) {
      if (!ref.startsWith("env:")) {
        throw new PermanentError(`secret reference "${ref}" is not of the form env:NAME`);
      }
      const name = ref.slice("env:".length);
      const value = env[name];
      if (!value) throw new PermanentError(`secret ${ref} is not set: set the ${name} environment variable`);
      return value;
    },
  };
}
