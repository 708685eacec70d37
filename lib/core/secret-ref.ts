/**
 * A secret reference names where a secret lives, never the secret itself. Bindings store one as
 * `tokenRef`: `secretsmanager:<name or ARN>`, in a deployed stack and in the local stack alike (whose
 * Secrets Manager is a stand-in). There is deliberately no `env:` form: a binding that could name an
 * environment variable would let whoever writes bindings make a function hand any of its variables
 * (its AWS credentials included) to Notion.
 */
import { PermanentError } from "../shared/errors.js";

export type SecretRef = { scheme: "secretsmanager"; secretId: string };

export const SECRETS_MANAGER_SCHEME = "secretsmanager:";

export function parseSecretRef(ref: string): SecretRef {
  if (ref.startsWith(SECRETS_MANAGER_SCHEME) && ref.length > SECRETS_MANAGER_SCHEME.length) {
    return { scheme: "secretsmanager", secretId: ref.slice(SECRETS_MANAGER_SCHEME.length) };
  }
  if (ref.startsWith("env:")) {
    throw new PermanentError(
      `secret reference "${ref}" names an environment variable: tokens are read from Secrets Manager only (secretsmanager:<secret name or ARN>; reconnect with \`notion-index-sync connect\`)`,
    );
  }
  throw new PermanentError(
    `secret reference "${ref}" is not of the form secretsmanager:<secret name or ARN>`,
  );
}

export function secretsManagerRef(secretId: string): string {
  return `${SECRETS_MANAGER_SCHEME}${secretId}`;
}
