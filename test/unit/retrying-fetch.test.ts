import { describe, expect, it } from "vitest";
import { retryingFetch } from "../../lib/rate-limit/retrying-fetch.js";

function scripted(statuses: { status: number; retryAfter?: string }[]) {
  const calls: number[] = [];
  const fetchImpl = (async () => {
    const next = statuses[calls.length] ?? { status: 200 };
    calls.push(next.status);
    const headers = next.retryAfter ? { "retry-after": next.retryAfter } : undefined;
    return new Response("{}", { status: next.status, headers });
  }) as typeof fetch;
  return { fetchImpl, calls };
}

describe("retryingFetch", () => {
  const waits: number[] = [];
  const policy = {
    maxRetries: 2,
    maxDelayMs: 5000,
    baseDelayMs: 100,
    sleep: async (ms: number) => void waits.push(ms),
  };

  it("waits out a short Retry-After and retries", async () => {
    waits.length = 0;
    const { fetchImpl, calls } = scripted([{ status: 429, retryAfter: "2" }, { status: 200 }]);
    const response = await retryingFetch(policy, fetchImpl)("http://127.0.0.1/x");
    expect(response.status).toBe(200);
    expect(calls).toEqual([429, 200]);
    expect(waits).toEqual([2000]);
  });

  it("hands a long Retry-After back at once instead of sleeping", async () => {
    waits.length = 0;
    const { fetchImpl, calls } = scripted([{ status: 429, retryAfter: "60" }]);
    const response = await retryingFetch(policy, fetchImpl)("http://127.0.0.1/x");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("60");
    expect(calls).toEqual([429]);
    expect(waits).toEqual([]);
  });

  it("backs off exponentially on 5xx and gives up after maxRetries", async () => {
    waits.length = 0;
    const { fetchImpl, calls } = scripted([
      { status: 503 },
      { status: 503 },
      { status: 503 },
      { status: 200 },
    ]);
    const response = await retryingFetch(policy, fetchImpl)("http://127.0.0.1/x");
    expect(response.status).toBe(503);
    expect(calls).toEqual([503, 503, 503]);
    // Exponential, with up to a quarter of jitter below.
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(75);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThanOrEqual(150);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it("does not retry client errors", async () => {
    const { fetchImpl, calls } = scripted([{ status: 404 }]);
    expect((await retryingFetch(policy, fetchImpl)("http://127.0.0.1/x")).status).toBe(404);
    expect(calls).toEqual([404]);
  });
});
