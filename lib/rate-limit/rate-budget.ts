/**
 * A rate budget shared by everyone who uses one key (one Notion binding: one integration token).
 * `reserve` books slots on the key's schedule (lib/rate-limit/gcra.ts) unless the first would be
 * further away than the caller will wait; `pushBack` moves the whole schedule past a 429's
 * Retry-After, so every instance on the key waits, not only the one that was refused.
 *
 * Two stores keep the schedule: memory (one process: the CLI, tests) and DynamoDB (every function
 * instance of a deployment, lib/adapters/aws/dynamodb-rate-budget.ts).
 */
import { bookSlots, firstFreeSlot, type RateSpec } from "./gcra.js";

export type Reservation =
  /** Times (epoch ms) at which the booked requests may go out, in order. */
  | { slots: number[] }
  /** Nothing was booked: the first free slot is at `until`. */
  | { refusedUntil: number };

export interface RateBudget {
  reserve(
    key: string,
    spec: RateSpec,
    request: { count: number; now: number; maxWaitMs: number },
  ): Promise<Reservation>;
  /** Books nothing before `until` on this key's schedule. */
  pushBack(key: string, until: number, spec: RateSpec): Promise<void>;
}

export function createMemoryRateBudget(): RateBudget {
  const schedules = new Map<string, number>();
  return {
    async reserve(key, spec, { count, now, maxWaitMs }) {
      const tat = schedules.get(key);
      const first = firstFreeSlot(tat, now, spec);
      if (first - now > maxWaitMs) return { refusedUntil: first };
      const booked = bookSlots(tat, now, spec, count);
      schedules.set(key, booked.tat);
      return { slots: booked.slots };
    },
    async pushBack(key, until, spec) {
      // The next slot is `until` itself: TAT − τ = until.
      const pushed = until + (spec.burst - 1) * (1000 / spec.requestsPerSecond);
      schedules.set(key, Math.max(schedules.get(key) ?? 0, pushed));
    },
  };
}
