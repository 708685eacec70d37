/**
 * The local function URL enforces what Lambda does behind a real one: the function's timeout (502
 * past it) and the 6 MB request limit (413); a function that throws is a 502. The local stack gives
 * each function the deployed timeout.
 */
import { describe, expect, it } from "vitest";
import { DEFAULTS, OAUTH_FUNCTION } from "../../infra/config.js";
import { startFunctionUrlServer } from "../../local/function-url-server.js";
import { FUNCTION_TIMEOUT_SECONDS } from "../../local/stack.js";

describe("the local function URL", () => {
  it("answers 502 once the function outlives its timeout, 502 when it throws, 413 past 6 MB", async () => {
    const server = await startFunctionUrlServer(
      async (event) => {
        if (event.rawPath === "/slow") await new Promise((resolve) => setTimeout(resolve, 5_000));
        if (event.rawPath === "/throws") throw new Error("boom");
        return { statusCode: 200, body: "ok" };
      },
      { functionName: "limits-test", timeoutMs: 200 },
    );
    try {
      const started = Date.now();
      expect((await fetch(new URL("slow", server.url))).status).toBe(502);
      expect(Date.now() - started).toBeLessThan(4_000);
      expect((await fetch(new URL("throws", server.url))).status).toBe(502);
      expect((await fetch(new URL("fine", server.url))).status).toBe(200);
      const big = await fetch(new URL("fine", server.url), {
        method: "POST",
        body: "x".repeat(6 * 1024 * 1024 + 1),
      });
      expect(big.status).toBe(413);
    } finally {
      await server.close();
    }
  });

  it("the local stack gives each function its deployed timeout", () => {
    expect(FUNCTION_TIMEOUT_SECONDS).toEqual({
      sync: DEFAULTS.syncTimeoutSeconds,
      index: DEFAULTS.indexTimeoutSeconds,
      webhook: DEFAULTS.webhookTimeoutSeconds,
      query: DEFAULTS.queryTimeoutSeconds,
      oauth: OAUTH_FUNCTION.timeoutSeconds,
    });
  });
});
