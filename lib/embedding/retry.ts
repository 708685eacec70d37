/**
 * Retries a call that failed with a RetryableError: exponential backoff with jitter, or the wait the
 * server asked for (Retry-After) when it said so. A wait longer than `maxDelayMs` is not sat out: the
 * error goes back to the caller at once, so the queue redelivers later instead of a Lambda idling.
 * For clients without retries of their own (Pinecone Inference); the OpenAI and AWS clients use theirs.
 */
import { RetryableError } from "../shared/errors.js";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 20_000 };

export async function withRetries<T>(run: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof RetryableError) || attempt >= policy.maxRetries) throw error;
      const delay = retryDelayMs(error, attempt, policy);
      if (delay === undefined) throw error;
      await sleep(delay);
    }
  }
}

/** The wait before the next attempt, or undefined when the server asked for longer than we will wait. */
export function retryDelayMs(
  error: RetryableError,
  attempt: number,
  policy: RetryPolicy,
): number | undefined {
  if (error.retryAfterSeconds !== undefined) {
    const asked = error.retryAfterSeconds * 1000;
    return asked > policy.maxDelayMs ? undefined : asked;
  }
  const backoff = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  return backoff * (0.75 + Math.random() * 0.25);
}
