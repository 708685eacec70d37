/**
 * Retries throttled and failed HTTP requests inside the function only while the wait is short.
 * A longer Retry-After is handed back as the response itself, so the caller raises a RetryableError
 * that carries it and the message goes back to the queue with that delay (lib/sqs-records/guard-record.ts)
 * instead of the function sleeping it out.
 */
export interface RetryPolicy {
  maxRetries: number;
  /** Longest wait spent inside the function, per retry. */
  maxWaitMs: number;
  /** First back-off when the server gives no Retry-After; doubles each retry. */
  initialDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504, 529]);

export function retryingFetch(policy: RetryPolicy, inner: typeof fetch = fetch): typeof fetch {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      const response = await inner(input, init);
      if (!RETRIED_STATUSES.has(response.status) || attempt >= policy.maxRetries) return response;
      const waitMs =
        retryAfterMs(response.headers.get("retry-after")) ?? policy.initialDelayMs * 2 ** attempt;
      if (waitMs > policy.maxWaitMs) return response;
      // The body of a response we drop must be consumed, or the connection stays busy.
      await response.body?.cancel();
      await sleep(waitMs);
    }
  };
}

export function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
