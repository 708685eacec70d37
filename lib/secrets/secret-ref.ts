/**
 * A secret reference names where a secret lives, never the secret itself. Bindings store one as
 * `tokenRef`: `env:NAME` (an environment variable, for the local stack) or
 * `secretsmanager:<name or ARN>` (a deployed stack).
 */
import { PermanentError } from "../errors.js";

export type SecretRef = { scheme: "env"; name: string } | { scheme: "secretsmanager"; secretId: string };

export const ENV_SCHEME = "env:";
export const SECRETS_MANAGER_SCHEME = "secretsmanager:";

export function parseSecretRef(ref: string): SecretRef {
  if (ref.startsWith(ENV_SCHEME) && ref.length > ENV_SCHEME.length) {
    return { scheme: "env", name: ref.slice(ENV_SCHEME.length) };
  }
  if (ref.startsWith(SECRETS_MANAGER_SCHEME) && ref.length > SECRETS_MANAGER_SCHEME.length) {
    return { scheme: "secretsmanager", secretId: ref.slice(SECRETS_MANAGER_SCHEME.length) };
  }
  throw new PermanentError(
    `secret reference "${ref}" is not of the form env:NAME or secretsmanager:<secret name or ARN>`,
  );
}

export function secretsManagerRef(secretId: string): string {
  return `${SECRETS_MANAGER_SCHEME}${secretId}`;
}
