/**
 * The class of a failure, for metrics and alarms: a short fixed list (a dimension must stay
 * low-cardinality), decided by the error's type, never by its text.
 */
import {
  EmbeddingAccessError,
  ForbiddenMessageError,
  InvalidMessageError,
  LimitExceededError,
  NotionAuthError,
  NotionNotFoundError,
  PermanentError,
  QuotaExceededError,
  RetryableError,
} from "../shared/errors.js";

export const ERROR_CLASSES = [
  "notion-auth",
  "notion-not-found",
  "limit-exceeded",
  "quota-exceeded",
  "embedding-access",
  "invalid-message",
  "permanent",
  "retryable",
  "unexpected",
] as const;

export type ErrorClass = (typeof ERROR_CLASSES)[number];

export function errorClassOf(error: unknown): ErrorClass {
  if (error instanceof NotionAuthError) return "notion-auth";
  if (error instanceof NotionNotFoundError) return "notion-not-found";
  if (error instanceof LimitExceededError) return "limit-exceeded";
  if (error instanceof QuotaExceededError) return "quota-exceeded";
  if (error instanceof EmbeddingAccessError) return "embedding-access";
  if (error instanceof InvalidMessageError || error instanceof ForbiddenMessageError)
    return "invalid-message";
  if (error instanceof PermanentError) return "permanent";
  if (error instanceof RetryableError) return "retryable";
  return "unexpected";
}
