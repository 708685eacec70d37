/**
 * Every kill boundary of the chaos suite fires. A boundary is a port call matched by method and
 * arguments (test/support/chaos-ports.ts); if the code under test stops making that call (a renamed
 * status, a moved write), the boundary would match nothing and the scenarios that plant it would
 * silently test less. Here each boundary is planted in a scenario built to reach it, and must fire,
 * with every invariant kept afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScenario } from "../support/chaos-runner.js";
import {
  type ChaosEvent,
  INDEX_KILLS,
  type KillBoundary,
  type Scenario,
  SYNC_KILLS,
} from "../support/chaos-scenario.js";
import { startStandInsForChaos } from "../support/chaos-world.js";
import type { StandIns } from "../support/harness.js";

let standIns: StandIns;
beforeAll(async () => {
  standIns = await startStandInsForChaos();
});
afterAll(async () => {
  await standIns?.close();
});

/** A boundary of the other function, which never matches here: the record runs to its end. */
const NONE_FOR_SYNC: KillBoundary = "index:mid-upsert";
const NONE_FOR_INDEX: KillBoundary = "sync:archive-mid-removal";

const deliveries = (count: number, kill?: KillBoundary): ChaosEvent[] =>
  Array.from({ length: count }, () => ({
    kind: "deliver" as const,
    pick: 0,
    duplicate: false,
    delaySeconds: 0,
    ...(kill === undefined
      ? {}
      : {
          fault: {
            kind: "kill" as const,
            sync: kill.startsWith("sync:") ? kill : NONE_FOR_SYNC,
            index: kill.startsWith("index:") ? kill : NONE_FOR_INDEX,
          },
        }),
  }));

/** Events that bring a delivery to `boundary`. */
function reaching(boundary: KillBoundary): ChaosEvent[] {
  if (boundary.startsWith("sync:archive")) {
    // Every page indexed, then trashed: the next syncs archive.
    const trash: ChaosEvent[] = [0, 1].flatMap((page) =>
      ([0, 1] as const).map((tenant) => ({ kind: "trash" as const, tenant, page })),
    );
    const syncs: ChaosEvent[] = [0, 1].map((page) => ({ kind: "sync" as const, tenant: 0 as const, page }));
    return [...deliveries(12), ...trash, ...syncs, ...deliveries(6, boundary)];
  }
  if (boundary === "index:mid-cleanup" || boundary === "index:after-cleanup") {
    // An older generation to clean up: indexed, then rewritten and synced again.
    return [
      ...deliveries(12),
      { kind: "tick", seconds: 120 },
      { kind: "edit", tenant: 0, page: 0, edit: "rewrite" },
      { kind: "tick", seconds: 120 },
      { kind: "sync", tenant: 0, page: 0 },
      ...deliveries(8, boundary),
    ];
  }
  return deliveries(16, boundary);
}

const BOUNDARIES = [...new Set([...SYNC_KILLS, ...INDEX_KILLS])].filter((b) => b !== "any:before-ack");

describe("chaos kill boundaries", () => {
  it.each(BOUNDARIES)(
    "%s fires, and every invariant holds after it",
    async (boundary) => {
      // Seeds whose index deliveries include runs short of time (checkpoints, continuations).
      let fired = 0;
      for (const seed of [3, 5, 8]) {
        const scenario: Scenario = {
          setup: {
            seed,
            pages: [2, 2],
            paragraphs: [
              [8, 2],
              [2, 2],
            ],
          },
          events: reaching(boundary),
        };
        const report = await runScenario(standIns, scenario);
        expect(report.violations).toEqual([]);
        fired += Object.entries(report.stats.killsByBoundary)
          .filter(([name]) => name.startsWith(`${boundary} `))
          .reduce((sum, [, count]) => sum + count, 0);
        if (fired > 0) break;
      }
      expect(fired, `${boundary} never fired`).toBeGreaterThan(0);
    },
    120_000,
  );
});
