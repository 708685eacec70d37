import { describe, expect, it } from "vitest";
import { createTokenBucket } from "../../lib/rate-limit/token-bucket.js";

/** A clock that only moves when the bucket sleeps: the test sees exactly when each request may go. */
function virtualTime() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

describe("token bucket", () => {
  it("lets a burst through, then one request per interval, in order", async () => {
    const time = virtualTime();
    const bucket = createTokenBucket({ ratePerSecond: 3, burst: 2, ...time });
    const startedAt: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        await bucket.take();
        startedAt.push(time.now());
      }),
    );
    expect(startedAt.slice(0, 2)).toEqual([0, 0]);
    // Eight requests at 3/s after a burst of 2 need 6 more intervals of 333.3 ms.
    expect(startedAt[7]).toBeGreaterThanOrEqual(2000);
    expect(startedAt[7]).toBeLessThanOrEqual(2010);
    expect([...startedAt].sort((a, b) => a - b)).toEqual(startedAt);
  });

  it("never exceeds its rate over any window", async () => {
    const time = virtualTime();
    const bucket = createTokenBucket({ ratePerSecond: 5, burst: 1, ...time });
    const startedAt: number[] = [];
    for (let i = 0; i < 50; i++) {
      await bucket.take();
      startedAt.push(time.now());
    }
    for (let i = 5; i < startedAt.length; i++) {
      expect((startedAt[i] as number) - (startedAt[i - 5] as number)).toBeGreaterThanOrEqual(999);
    }
  });

  it("refuses a rate that is not positive", () => {
    expect(() => createTokenBucket({ ratePerSecond: 0 })).toThrow(/ratePerSecond/);
  });
});
