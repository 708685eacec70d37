/**
 * Secrets Manager failures as domain errors: a secret that is missing, not ours to read or not a
 * string is permanent (retrying cannot help; for a Notion token it means "reconnect"); throttling,
 * service and network failures are retryable. Messages name the secret, never its value.
 */
import { PermanentError, RetryableError } from "../../shared/errors.js";

const PERMANENT = new Map<string, string>([
  ["ResourceNotFoundException", "does not exist"],
  ["AccessDeniedException", "may not be read by this role (is it under the stack's secret prefix?)"],
  ["DecryptionFailure", "cannot be decrypted with the role's KMS permissions"],
  ["InvalidRequestException", "cannot be read now (deleted or scheduled for deletion?)"],
  ["InvalidParameterException", "is not a valid secret id"],
  ["ValidationException", "is not a valid secret id"],
]);

export function secretsManagerError(secretId: string, error: unknown): Error {
  const name = error instanceof Error ? error.name : "Error";
  const known = PERMANENT.get(name);
  if (known) return new PermanentError(`secret ${secretId} ${known}`, { cause: error });
  const reason = error instanceof Error ? `${name}: ${error.message}` : String(error);
  return new RetryableError(`reading secret ${secretId} failed: ${reason}`, { cause: error });
}
