/**
 * Runs a chaos scenario from set-up to invariants, and shrinks a failing one: replay the same
 * set-up with fewer events (delta debugging: drop halves, then quarters, ... then single events)
 * while the same invariant still fails, until no single event can go.
 */
import { ChaosDriver, type ChaosStats, emptyStats } from "./chaos-driver.js";
import { checkInvariants, receiveAll, type Violation } from "./chaos-invariants.js";
import { describeEvent, type Scenario } from "./chaos-scenario.js";
import { type ChaosWorld, createWorld } from "./chaos-world.js";
import type { StandIns } from "./harness.js";

export interface ScenarioReport {
  violations: Violation[];
  stats: ChaosStats;
  journal: string[];
}

/** `beforeCheck` may tamper with the quiet system: the suite's own test that the checks can fail. */
export async function runScenario(
  standIns: StandIns,
  scenario: Scenario,
  beforeCheck?: (world: ChaosWorld, driver: ChaosDriver) => Promise<void>,
): Promise<ScenarioReport> {
  const world = await createWorld(standIns, scenario.setup);
  const driver = new ChaosDriver(standIns, world);
  try {
    await driver.start();
    for (const event of scenario.events) await driver.apply(event);
    const quiet = await driver.quiesce();
    await beforeCheck?.(world, driver);
    const violations = await checkInvariants(standIns, world, driver);
    if (!quiet.settled) {
      violations.unshift({
        invariant: "settles",
        detail: `still busy after ${quiet.rounds} quiet rounds: ${driver.pending} messages in the pool`,
      });
    }
    return { violations, stats: driver.stats, journal: driver.journal };
  } finally {
    standIns.notion.faults.clear();
    standIns.pinecone.faults.clear();
    // Nothing of this scenario may reach the next one.
    for (const queue of Object.values(standIns.queues)) await receiveAll(world, queue.queueUrl);
    await world.close();
  }
}

/** The shortest event list found (within the budget) that still breaks `invariant`. */
export async function shrinkScenario(
  standIns: StandIns,
  scenario: Scenario,
  invariant: Violation["invariant"],
  budgetMs: number,
): Promise<{ scenario: Scenario; violation: Violation | undefined; replays: number }> {
  const deadline = Date.now() + budgetMs;
  let events = scenario.events;
  let violation: Violation | undefined;
  let replays = 0;
  const fails = async (candidate: Scenario["events"]) => {
    replays += 1;
    const report = await runScenario(standIns, { setup: scenario.setup, events: candidate });
    const found = report.violations.find((v) => v.invariant === invariant);
    if (found) violation = found;
    return found !== undefined;
  };
  let size = Math.ceil(events.length / 2);
  while (size >= 1 && Date.now() < deadline) {
    let removed = false;
    for (let start = 0; start < events.length && Date.now() < deadline; ) {
      const candidate = [...events.slice(0, start), ...events.slice(start + size)];
      if (await fails(candidate)) {
        events = candidate;
        removed = true;
      } else {
        start += size;
      }
    }
    if (!removed) size = Math.floor(size / 2);
  }
  return { scenario: { setup: scenario.setup, events }, violation, replays };
}

export function formatFailure(scenario: Scenario, violation: Violation, note: string): string {
  return [
    `chaos violation: ${violation.invariant}`,
    `  ${violation.detail}`,
    `  seed ${scenario.setup.seed} (replay: CHAOS_SEED=${scenario.setup.seed} npx vitest run test/chaos)`,
    `  set-up: pages per tenant ${scenario.setup.pages.join(" + ")}`,
    `  ${note}; trace of ${scenario.events.length} events:`,
    ...scenario.events.map((event, i) => `    ${String(i + 1).padStart(3)}. ${describeEvent(event)}`),
  ].join("\n");
}

/** Adds one scenario's counts into the running totals. */
export function addStats(total: ChaosStats, stats: ChaosStats): void {
  for (const key of ["deliveries", "duplicates", "delayed", "redriven", "poison", "quietRounds"] as const) {
    total[key] += stats[key];
  }
  for (const key of ["events", "faultsArmed", "faultsFired", "killsByBoundary", "failures"] as const) {
    for (const [name, count] of Object.entries(stats[key]))
      total[key][name] = (total[key][name] ?? 0) + count;
  }
  total.interleaves.held += stats.interleaves.held;
  total.interleaves.notReached += stats.interleaves.notReached;
}

export { emptyStats };
