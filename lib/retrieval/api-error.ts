/**
 * What the query API answers when it cannot answer matches: one shape for every error,
 * `{error: {code, message}}`, with the HTTP status the code stands for. The message is one line
 * that says what to change; it never holds a key, a token or page text.
 */
export const API_ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Seconds to wait before trying again (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }
}

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}
