/**
 * Retries throttled and failed HTTP requests inside the function only while the wait is short.
 * A longer Retry-After is handed back as the response itself, so the caller raises a RetryableError
 * that carries it and the message goes back to the queue with that delay (lib/sqs-records/guard-record.ts)
 * instead of the function sleeping it out.
 */
import { retryAfterMs } from "../core/retry-after.js";
import { type RetryPolicy, retryDelayMs, sleeper } from "../core/retry-policy.js";

const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504, 529]);

/**
 * `worthRetrying` may refuse a retry the status alone would allow (OpenAI's 429 `insufficient_quota`
 * is billing, not load).
 */
export function retryingFetch(
  policy: RetryPolicy,
  inner: typeof fetch = fetch,
  worthRetrying: (response: Response) => Promise<boolean> = async () => true,
): typeof fetch {
  const sleep = sleeper(policy);
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      const response = await inner(input, init);
      if (!RETRIED_STATUSES.has(response.status) || attempt >= policy.maxRetries) return response;
      if (!(await worthRetrying(response))) return response;
      const waitMs = retryDelayMs(attempt, retryAfterMs(response.headers), policy);
      if (waitMs === undefined) return response;
      // The body of a response we drop must be consumed, or the connection stays busy.
      await response.body?.cancel();
      await sleep(waitMs);
    }
  };
}
