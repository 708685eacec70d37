/**
 * Wraps fetch so that every request first takes a slot of its key's rate budget, and waits for it.
 * Slots are booked a few at a time (`grantSize`), so the shared store is written about once per
 * `grantSize` requests. A slot further away than `maxWaitMs` is not waited for: the request is
 * answered with a 429 of our own, with the Retry-After of the first free slot, and the caller's
 * retry policy decides (retry soon, or hand the work back to the queue with that delay). A 429
 * from the server pushes the whole key's budget back by its Retry-After.
 */

import { retryAfterMs } from "../core/retry-after.js";
import type { RateSpec } from "./gcra.js";
import { slotIntervalMs } from "./gcra.js";
import type { RateBudget } from "./rate-budget.js";

export interface BudgetedFetchOptions {
  budget: RateBudget;
  key: string;
  spec: RateSpec;
  /** Slots booked per write to the budget's store. */
  grantSize: number;
  /** The longest wait for a slot inside the function. */
  maxWaitMs: number;
  /**
   * Told of every answer, for counts: its status, how long it waited for its slot, and whether it
   * is the budget's own refusal (the request never went out).
   */
  onAnswered?: (answer: { status: number; waitedMs: number; fromBudget: boolean }) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The header on a 429 this wrapper made itself: the budget, not the server, said "not now". */
export const BUDGET_REFUSAL_HEADER = "x-rate-budget";

export function budgetedFetch(options: BudgetedFetchOptions, inner: typeof fetch = fetch): typeof fetch {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const granted: number[] = [];
  const staleAfterMs = slotIntervalMs(options.spec);
  // Callers take slots in order: each waits for the one before it to have its slot.
  let queue: Promise<unknown> = Promise.resolve();

  /** The time this request may go out, or the refusal's first free slot. */
  async function takeSlot(): Promise<{ at: number } | { refusedUntil: number }> {
    const current = now();
    // A slot more than one interval in the past was not used in time: that share of the budget is
    // gone. Using it late would send it together with the next ones, a burst the schedule never had.
    while (granted.length > 0 && (granted[0] as number) < current - staleAfterMs) granted.shift();
    const next = granted.shift();
    if (next !== undefined) return { at: next };
    const reservation = await options.budget.reserve(options.key, options.spec, {
      count: options.grantSize,
      now: current,
      maxWaitMs: options.maxWaitMs,
    });
    if ("refusedUntil" in reservation) return reservation;
    granted.push(...reservation.slots);
    return { at: granted.shift() as number };
  }

  return async (input, init) => {
    const turn = queue.then(takeSlot);
    queue = turn.catch(() => undefined);
    const slot = await turn;
    if ("refusedUntil" in slot) {
      options.onAnswered?.({ status: 429, waitedMs: 0, fromBudget: true });
      return refusal(slot.refusedUntil - now());
    }
    const waitMs = Math.max(0, slot.at - now());
    if (waitMs > 0) await sleep(waitMs);
    const response = await inner(input, init);
    options.onAnswered?.({ status: response.status, waitedMs: waitMs, fromBudget: false });
    if (response.status === 429) {
      const retryMs = retryAfterMs(response.headers) ?? 1000;
      granted.length = 0;
      await options.budget.pushBack(options.key, now() + retryMs, options.spec);
    }
    return response;
  };
}

function refusal(waitMs: number): Response {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new Response(
    JSON.stringify({
      object: "error",
      status: 429,
      code: "rate_limited",
      message: `this binding's Notion rate budget is booked for the next ${seconds} s`,
    }),
    {
      status: 429,
      headers: {
        "content-type": "application/json",
        "retry-after": String(seconds),
        [BUDGET_REFUSAL_HEADER]: "booked",
      },
    },
  );
}
