import { describe, expect, it } from "vitest";
import { budgetedFetch } from "../../lib/rate-limit/budgeted-fetch.js";
import { bookSlots, validateRateSpec } from "../../lib/rate-limit/gcra.js";
import { createMemoryRateBudget } from "../../lib/rate-limit/rate-budget.js";

const SPEC = { requestsPerSecond: 4, burst: 3 }; // T = 250 ms, τ = 500 ms

/** A clock that only moves when someone sleeps: the test sees exactly when each request goes out. */
function virtualTime() {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

describe("GCRA slots", () => {
  it("lets a burst go at once after a quiet spell, then one slot per interval", () => {
    const { slots, tat } = bookSlots(undefined, 0, SPEC, 6);
    expect(slots).toEqual([0, 0, 0, 250, 500, 750]);
    expect(tat).toBe(1500);
  });

  it("books from the schedule's end while it is busy, and from now once it is idle", () => {
    expect(bookSlots(2000, 1000, SPEC, 2).slots).toEqual([1500, 1750]);
    expect(bookSlots(500, 1000, SPEC, 1)).toEqual({ tat: 1250, slots: [1000] });
  });

  it("refuses a rate or burst that cannot work", () => {
    expect(() => validateRateSpec({ requestsPerSecond: 0, burst: 1 })).toThrow(/requestsPerSecond/);
    expect(() => validateRateSpec({ requestsPerSecond: 3, burst: 0.5 })).toThrow(/burst/);
  });
});

describe("memory rate budget", () => {
  it("keeps each key's schedule apart: one key's backlog never delays another", async () => {
    const budget = createMemoryRateBudget();
    const request = { count: 10, now: 0, maxWaitMs: 60_000 };
    const a = await budget.reserve("binding-a", SPEC, request);
    const b = await budget.reserve("binding-b", SPEC, request);
    expect(a).toEqual(b);
    const again = await budget.reserve("binding-b", SPEC, { ...request, count: 1 });
    expect(again).toEqual({ slots: [2000] });
  });

  it("refuses a booking whose first slot is further away than the caller will wait", async () => {
    const budget = createMemoryRateBudget();
    await budget.reserve("k", SPEC, { count: 40, now: 0, maxWaitMs: 60_000 }); // booked to 10 s
    expect(await budget.reserve("k", SPEC, { count: 1, now: 0, maxWaitMs: 5_000 })).toEqual({
      refusedUntil: 9_500,
    });
  });

  it("a push-back moves the next slot to the Retry-After, then spaces slots at the average rate", async () => {
    const budget = createMemoryRateBudget();
    await budget.pushBack("k", 30_000, SPEC);
    expect(await budget.reserve("k", SPEC, { count: 3, now: 1_000, maxWaitMs: 60_000 })).toEqual({
      slots: [30_000, 30_250, 30_500],
    });
  });
});

describe("budgeted fetch", () => {
  it("sends requests at their slots, in order, booking a few slots per write", async () => {
    const time = virtualTime();
    const budget = createMemoryRateBudget();
    let bookings = 0;
    const counting = {
      reserve: (...args: Parameters<typeof budget.reserve>) => {
        bookings += 1;
        return budget.reserve(...args);
      },
      pushBack: budget.pushBack,
    };
    const sentAt: number[] = [];
    const limited = budgetedFetch(
      { budget: counting, key: "k", spec: SPEC, grantSize: 3, maxWaitMs: 10_000, ...time },
      async () => {
        sentAt.push(time.now());
        return new Response("{}");
      },
    );
    await Promise.all(Array.from({ length: 9 }, () => limited("http://x")));
    const start = 1_000_000;
    expect(sentAt.map((at) => at - start)).toEqual([0, 0, 0, 250, 500, 750, 1000, 1250, 1500]);
    expect(bookings).toBe(3);
  });

  it("answers a 429 of its own, with Retry-After, rather than wait past maxWaitMs", async () => {
    const time = virtualTime();
    const budget = createMemoryRateBudget();
    await budget.pushBack("k", time.now() + 42_000, SPEC);
    let sent = 0;
    const limited = budgetedFetch(
      { budget, key: "k", spec: SPEC, grantSize: 1, maxWaitMs: 10_000, ...time },
      async () => {
        sent += 1;
        return new Response("{}");
      },
    );
    const response = await limited("http://x");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
    expect(sent).toBe(0);
  });

  it("a server 429 pushes the key's whole budget back by its Retry-After", async () => {
    const time = virtualTime();
    const budget = createMemoryRateBudget();
    const throttled = budgetedFetch(
      { budget, key: "k", spec: SPEC, grantSize: 1, maxWaitMs: 10_000, ...time },
      async () => new Response("{}", { status: 429, headers: { "retry-after": "20" } }),
    );
    expect((await throttled("http://x")).status).toBe(429);
    // Another instance on the same key is held back too.
    const other = await budget.reserve("k", SPEC, { count: 1, now: time.now(), maxWaitMs: 60_000 });
    expect(other).toEqual({ slots: [time.now() + 20_000] });
  });
});
