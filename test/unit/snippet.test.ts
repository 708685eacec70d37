import { describe, expect, it } from "vitest";
import { snippet } from "../../lib/cli/snippet.js";

const RUNBOOK =
  "Incident runbook. When something breaks, follow these steps in order. 1. Open an incident channel and name an incident lead. 2. Check the dashboards for the affected service and note the start time. 3. If the database is down, page the on-call engineer through the pager rota and post in the channel. 4. Write the timeline as you go.";

describe("query snippets", () => {
  it("show the part of a long chunk where the query's words are, not its start", () => {
    const shown = snippet(RUNBOOK, "who do I page when the database is down?", 120);
    expect(shown).toContain("database is down, page the on-call engineer");
    expect(shown.startsWith("…")).toBe(true);
    expect(shown.length).toBeLessThanOrEqual(122);
  });

  it("show a short chunk whole, and a chunk without the words from its start", () => {
    expect(snippet("Short chunk.", "anything")).toBe("Short chunk.");
    const shown = snippet(RUNBOOK, "zebra", 60);
    expect(shown.startsWith("Incident runbook.")).toBe(true);
    expect(shown.endsWith("…")).toBe(true);
  });
});
