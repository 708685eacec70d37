/**
 * A progress bar for long waits (`add --follow --wait`): on a terminal it redraws one line on stderr
 * (through the spinner of lib/cli/progress.ts); piped, it prints a plain line at most every
 * `plainEverySeconds`, so a log file gets a readable trail instead of control characters.
 */
import { printLine } from "./output.js";
import { type Progress, startProgress } from "./progress.js";

const WIDTH = 24;

/** `[#########---------------]  120/400 documents  3.1/s  ETA 1m30s` (pure, tested). */
export function formatBar(done: number, total: number, perSecond: number | undefined, what: string): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * WIDTH);
  const bar = `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}]`;
  const rate = perSecond === undefined ? "" : `  ${perSecond.toFixed(1)}/s`;
  const left = total - done;
  const eta =
    perSecond === undefined || perSecond <= 0 || left <= 0 ? "" : `  ETA ${duration(left / perSecond)}`;
  return `${bar} ${done}/${total} ${what}${rate}${eta}`;
}

export function duration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

export interface ProgressBar {
  /** `done` of `total`; `note` is shown after the figures (e.g. "listing the workspace"). */
  update(done: number, total: number, note?: string): void;
  succeed(text: string): void;
  stop(): void;
}

export async function startProgressBar(
  title: string,
  what: string,
  options: { json?: boolean; plainEverySeconds?: number } = {},
): Promise<ProgressBar> {
  const spinner: Progress = await startProgress(title, options);
  const tty = process.stderr.isTTY === true && !options.json;
  const started = Date.now();
  let lastPlain = 0;
  let lastLine = "";
  return {
    update(done, total, note) {
      const elapsed = (Date.now() - started) / 1000;
      const rate = elapsed >= 1 && done > 0 ? done / elapsed : undefined;
      const line = `${formatBar(done, total, rate, what)}${note ? `  (${note})` : ""}`;
      if (tty) {
        spinner.update(line);
        return;
      }
      if (options.json || line === lastLine) return;
      if (Date.now() - lastPlain < (options.plainEverySeconds ?? 5) * 1000 && done < total) return;
      lastPlain = Date.now();
      lastLine = line;
      printLine(line);
    },
    succeed: (text) => spinner.succeed(text),
    stop: () => spinner.stop(),
  };
}
