/**
 * Typed errors: callers branch with `instanceof`, never on message text.
 * - PermanentError: retrying cannot help (bad input, bad credentials); do not loop.
 * - RetryableError: a later attempt may succeed (throttling, 5xx, timeouts).
 */
export class PermanentError extends Error {
  override name = "PermanentError";
}

export class RetryableError extends Error {
  override name = "RetryableError";
  /** Seconds the remote side asked us to wait (Retry-After), when it said so. */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** A message body that is not valid JSON or not of a known shape: dead-lettered, never retried. */
export class InvalidMessageError extends PermanentError {
  override name = "InvalidMessageError";
}

/** Notion rejected the integration token (401) or the binding is missing: the user must reconnect. */
export class NotionAuthError extends PermanentError {
  override name = "NotionAuthError";
}

/**
 * Notion itself refused the binding's token (401): the binding is marked disconnected. Not the
 * "binding missing or disabled" case, which is a plain NotionAuthError.
 */
export class NotionTokenRefusedError extends NotionAuthError {
  override name = "NotionTokenRefusedError";
}

/** The Notion page or database is gone or no longer shared with the integration (404). */
export class NotionNotFoundError extends PermanentError {
  override name = "NotionNotFoundError";
}

/** A conditional write lost a race: another run changed the document first. */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/** Configuration that cannot work: raised once at cold start. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * A message whose tenant or dataset does not match the document it names: forged or misrouted.
 * Refused (dead-lettered with the reason), never acted on.
 */
export class ForbiddenMessageError extends PermanentError {
  override name = "ForbiddenMessageError";
}

/** A page or database past an extraction limit (blocks, rows, characters): it must be split or excluded. */
export class LimitExceededError extends PermanentError {
  override name = "LimitExceededError";
}

/** The embedding provider refused for billing or credentials (quota exhausted, key rejected). */
export class EmbeddingAccessError extends PermanentError {
  override name = "EmbeddingAccessError";
}

/** Work past one of its tenant's quotas (`tenant set`): it stops with this reason and resumes when there is room. */
export class QuotaExceededError extends PermanentError {
  override name = "QuotaExceededError";
  constructor(
    message: string,
    readonly quota: "documents" | "embedding-tokens",
  ) {
    super(message);
  }
}
