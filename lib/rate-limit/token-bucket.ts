/**
 * A token bucket: `take()` resolves when a request may go out. Notion allows an integration about
 * three requests per second on average; each function instance gets its share of that budget
 * (the stack divides it by the maximum number of instances), so all of them together stay within it.
 */
export interface TokenBucket {
  take(): Promise<void>;
}

export interface TokenBucketOptions {
  ratePerSecond: number;
  /** Requests that may go out at once after a quiet spell. */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  if (!(options.ratePerSecond > 0))
    throw new RangeError(`ratePerSecond must be > 0, got ${options.ratePerSecond}`);
  const capacity = Math.max(1, options.burst ?? 1);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const intervalMs = 1000 / options.ratePerSecond;
  let tokens = capacity;
  let updatedAt = now();
  // Callers queue in order: each waits for the one before it.
  let queue: Promise<void> = Promise.resolve();

  async function takeOne(): Promise<void> {
    for (;;) {
      const current = now();
      tokens = Math.min(capacity, tokens + (current - updatedAt) / intervalMs);
      updatedAt = current;
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await sleep(Math.ceil((1 - tokens) * intervalMs));
    }
  }

  return {
    take() {
      const turn = queue.then(takeOne);
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

/** Wraps fetch so that every request first takes a token. */
export function rateLimitedFetch(bucket: TokenBucket, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    await bucket.take();
    return inner(input, init);
  };
}
