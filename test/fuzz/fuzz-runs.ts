/**
 * How many inputs each fuzz property gets, and the one-line summary it prints.
 * `FUZZ_RUNS` (npm run test:fuzz sets 10,000) is shared out between the properties: the pure
 * extraction ones take large shares, the ones through the stand-ins (a whole pipeline run per input)
 * small ones. `npm test` leaves it unset and runs DEFAULT_FUZZ_RUNS. `FUZZ_SEED` replays a failure.
 */
import fc from "fast-check";

const DEFAULT_FUZZ_RUNS = 200;

export const FUZZ_RUNS = positiveInteger(process.env.FUZZ_RUNS) ?? DEFAULT_FUZZ_RUNS;
const SEED = positiveInteger(process.env.FUZZ_SEED);

function positiveInteger(value: string | undefined): number | undefined {
  const number = Number(value);
  return value !== undefined && Number.isInteger(number) && number > 0 ? number : undefined;
}

/** fast-check's parameters for a property that takes `share` of FUZZ_RUNS (at least `minimum`). */
export function runsFor(share: number, minimum = 1): { numRuns: number; seed?: number } {
  const numRuns = Math.max(minimum, Math.round(FUZZ_RUNS * share));
  return SEED === undefined ? { numRuns } : { numRuns, seed: SEED };
}

/** Counts a property's inputs by verdict; `line()` is the summary printed after the run. */
export class Tally {
  inputs = 0;
  rejected = 0;
  accepted = 0;
  /** Inputs that crashed: always 0 when the property passes (it fails on the first). */
  crashes = 0;
  private milliseconds = 0;

  /** `unit`: what one input is (a body, a batch of records, a page). */
  constructor(
    readonly property: string,
    readonly unit = "inputs",
  ) {}

  /** One input, and how many of its records were rejected with a reason or accepted. */
  count(outcome: { rejected?: number; accepted?: number }): void {
    this.inputs += 1;
    this.rejected += outcome.rejected ?? 0;
    this.accepted += outcome.accepted ?? 0;
  }

  /** Runs the property, timing it. */
  async run<Ts>(property: fc.IRawProperty<Ts>, parameters: { numRuns: number; seed?: number }) {
    const started = performance.now();
    try {
      await fc.assert(property, parameters);
    } finally {
      this.milliseconds += performance.now() - started;
    }
  }

  line(): string {
    const seconds = (this.milliseconds / 1000).toFixed(1);
    return `fuzz ${this.property}: ${this.inputs} ${this.unit}, ${this.rejected} rejected with a reason, ${this.accepted} accepted, ${this.crashes} crashes, ${seconds} s`;
  }
}

/** Summaries are printed together when a file's properties are done. */
export function printSummaries(tallies: Tally[]): void {
  process.stdout.write(`${tallies.map((tally) => tally.line()).join("\n")}\n`);
}

/** Whether a string is well-formed UTF-16 (no lone surrogate). */
export function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** Per-test time limit: generous, since the full count runs each property for minutes. */
export const FUZZ_TIMEOUT_MS = Math.max(120_000, FUZZ_RUNS * 300);
