/**
 * The one retry policy: a few retries with exponential back-off and jitter, or the wait the server
 * asked for. A wait longer than `maxDelayMs` is not sat out inside the function: the failure goes
 * back to the caller at once, and the message returns to the queue with that delay instead of a
 * Lambda idling (lib/sqs-records/guard-record.ts).
 */
import { RetryableError } from "../shared/errors.js";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First back-off when the server asks no wait; doubles with each retry. */
  baseDelayMs: number;
  /** Longest wait spent inside the function, per retry. */
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 20_000 };

/**
 * The wait before retry number `attempt` (0 for the first retry): the server's ask, else back-off
 * with jitter; undefined when the server asked for longer than the policy waits.
 */
export function retryDelayMs(
  attempt: number,
  askedMs: number | undefined,
  policy: RetryPolicy,
): number | undefined {
  if (askedMs !== undefined) return askedMs > policy.maxDelayMs ? undefined : askedMs;
  const backoff = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  return backoff * (0.75 + Math.random() * 0.25);
}

export function sleeper(policy: RetryPolicy): (ms: number) => Promise<void> {
  return policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
}

/** Runs `run` again after a RetryableError, as the policy says; any other error goes straight out. */
export async function withRetries<T>(run: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const sleep = sleeper(policy);
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof RetryableError) || attempt >= policy.maxRetries) throw error;
      const asked = error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000;
      const delay = retryDelayMs(attempt, asked, policy);
      if (delay === undefined) throw error;
      await sleep(delay);
    }
  }
}
