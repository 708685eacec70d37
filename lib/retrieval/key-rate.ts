/**
 * Each API key's request rate, kept on the shared rate budget (lib/rate-limit/rate-budget.ts: GCRA,
 * the token bucket's twin, one DynamoDB item per key) so every instance of the query function
 * counts against the same limit. A request over it is refused at once, with when to try again.
 */
import type { RateSpec } from "../rate-limit/gcra.js";
import type { RateBudget } from "../rate-limit/rate-budget.js";
import { ApiError } from "./api-error.js";

export function keyRateLimiter(budget: RateBudget, spec: RateSpec, now: () => number = Date.now) {
  return async function admit(access: { keyId?: string }): Promise<void> {
    if (access.keyId === undefined) return;
    const at = now();
    const reservation = await budget.reserve(`apikey#${access.keyId}`, spec, {
      count: 1,
      now: at,
      maxWaitMs: 0,
    });
    if ("refusedUntil" in reservation)
      throw new ApiError(
        "rate_limited",
        `this key is over ${spec.requestsPerSecond} requests a second`,
        (reservation.refusedUntil - at) / 1000,
      );
  };
}
