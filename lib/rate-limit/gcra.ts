/**
 * The rate budget's arithmetic: GCRA, "the next free slot". A budget is one number, its theoretical
 * arrival time (TAT): the moment its schedule is booked up to. A request made at `now` gets the slot
 * max(now, TAT − τ), where τ = (burst − 1) × T is how far ahead of schedule a burst may run, and
 * books T = 1 / rate more: TAT' = max(TAT, now) + T. One number per budget means one conditional
 * write reserves slots, whoever asks (lib/adapters/aws/dynamodb-rate-budget.ts).
 */
export interface RateSpec {
  /** Average requests per second (Notion: about 3 per integration). */
  requestsPerSecond: number;
  /** Requests that may go out at once after a quiet spell (≥ 1). */
  burst: number;
}

export function validateRateSpec(spec: RateSpec): RateSpec {
  if (!(Number.isFinite(spec.requestsPerSecond) && spec.requestsPerSecond > 0)) {
    throw new RangeError(`requestsPerSecond must be a positive number, got ${spec.requestsPerSecond}`);
  }
  if (!(Number.isInteger(spec.burst) && spec.burst >= 1)) {
    throw new RangeError(`burst must be a whole number ≥ 1, got ${spec.burst}`);
  }
  return spec;
}

/** T: milliseconds between two slots at the average rate. */
export function slotIntervalMs(spec: RateSpec): number {
  return 1000 / spec.requestsPerSecond;
}

/** τ: how far ahead of the average schedule a burst may run. */
export function burstToleranceMs(spec: RateSpec): number {
  return (spec.burst - 1) * slotIntervalMs(spec);
}

/** Books `count` slots at `now` against a budget booked up to `tat` (undefined: never used). */
export function bookSlots(
  tat: number | undefined,
  now: number,
  spec: RateSpec,
  count: number,
): { tat: number; slots: number[] } {
  const interval = slotIntervalMs(spec);
  const start = Math.max(tat ?? now, now);
  const tolerance = burstToleranceMs(spec);
  const slots = Array.from({ length: count }, (_, i) => Math.max(now, start + i * interval - tolerance));
  return { tat: start + count * interval, slots };
}

/** When the first slot booked at `now` would be: what a caller that will not wait that long is told. */
export function firstFreeSlot(tat: number | undefined, now: number, spec: RateSpec): number {
  return Math.max(now, (tat ?? now) - burstToleranceMs(spec));
}

/** A part (0–1] of a rate: requests a second and burst scaled down, the burst never below one. */
export function shareOf(spec: RateSpec, share: number | undefined): RateSpec {
  if (share === undefined || share >= 1) return spec;
  return {
    requestsPerSecond: spec.requestsPerSecond * share,
    burst: Math.max(1, Math.floor(spec.burst * share)),
  };
}
