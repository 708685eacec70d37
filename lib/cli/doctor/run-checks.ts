/**
 * How `doctor` runs its checks: all at once, each on its own clock, so a check that fails, throws or
 * hangs is one failed line and never stops the others. A check may report several lines (one per
 * binding, one per queue).
 */
import { safeOneLine } from "../../core/safe-text.js";
import { ConfigError, PermanentError, RetryableError } from "../../shared/errors.js";

const OWN_ERRORS = [PermanentError, RetryableError, ConfigError];

export interface CheckResult {
  check: string;
  ok: boolean;
  /** Nothing to check (no webhook set up, a disabled binding): shown, never a failure. */
  skipped?: boolean;
  detail: string;
  /** What to do about a failure; absent when ok. */
  fix?: string;
}

export interface Check {
  /** The line's name when the check fails as a whole (throws or times out). */
  name: string;
  run(): Promise<CheckResult[]>;
}

export interface RunOptions {
  timeoutMs: number;
  /** Texts that must never appear in a line (secret values the checks read). */
  secrets?: () => string[];
}

export async function runChecks(checks: Check[], options: RunOptions): Promise<CheckResult[]> {
  const outcomes = await Promise.all(checks.map((check) => runOne(check, options.timeoutMs)));
  // A secret value can only reach a line through an error's text: removed here, whatever carried it.
  const secrets = options.secrets?.() ?? [];
  return outcomes.flat().map((result) => ({
    ...result,
    detail: safeOneLine(result.detail, secrets, 1000),
    ...(result.fix === undefined ? {} : { fix: safeOneLine(result.fix, secrets, 1000) }),
  }));
}

async function runOne(check: Check, timeoutMs: number): Promise<CheckResult[]> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<CheckResult[]>((resolve) => {
    timer = setTimeout(
      () =>
        resolve([
          failed(
            check.name,
            `no answer within ${duration(timeoutMs)}`,
            "check that the endpoints are reachable, or pass a longer --timeout",
          ),
        ]),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([
      check.run().catch((error: unknown) => [failed(check.name, reasonOf(error), "see the reason above")]),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function passed(check: string, detail: string): CheckResult {
  return { check, ok: true, detail };
}

export function failed(check: string, detail: string, fix: string): CheckResult {
  return { check, ok: false, detail, fix };
}

export function skipped(check: string, detail: string): CheckResult {
  return { check, ok: true, skipped: true, detail };
}

export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The SDKs' network failures say little in `message` ("fetch failed"); the cause says what.
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  // An AWS error's name is its code (AccessDeniedException); our own typed errors' names say nothing more.
  const named =
    !OWN_ERRORS.some((type) => error instanceof type) &&
    error.name !== "Error" &&
    !error.message.includes(error.name);
  return `${named ? `${error.name}: ` : ""}${error.message}${cause}`;
}

/** Rejects after `ms`: for one call inside a check, so a slow call is named rather than the whole check. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${duration(ms)}`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);
