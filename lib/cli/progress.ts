/**
 * Progress of a long command: a spinner (ora) on a terminal, plain lines when piped. `--json` shows
 * nothing, so its stdout stays one JSON document. The spinner writes to stderr and is cleared on
 * failure, so a failure is still the one line that main.ts prints.
 */
import { printLine } from "./output.js";

export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  /** Removes the progress display (before a failure is reported). */
  stop(): void;
}

const silent: Progress = { update() {}, succeed() {}, stop() {} };

export async function startProgress(text: string, options: { json?: boolean } = {}): Promise<Progress> {
  if (options.json) return silent;
  if (!process.stderr.isTTY) {
    printLine(`${text}…`);
    return { update() {}, succeed: (done) => printLine(done), stop() {} };
  }
  const { default: ora } = await import("ora");
  const spinner = ora({ text, stream: process.stderr, color: process.env.NO_COLOR ? false : "cyan" }).start();
  return {
    update: (next) => {
      spinner.text = next;
    },
    succeed: (done) => spinner.succeed(done),
    stop: () => spinner.stop(),
  };
}

/** Runs `work` with a progress display that is removed if it fails. */
export async function withProgress<T>(
  text: string,
  options: { json?: boolean },
  work: (progress: Progress) => Promise<T>,
  done: (result: T) => string,
): Promise<T> {
  const progress = await startProgress(text, options);
  try {
    const result = await work(progress);
    progress.succeed(done(result));
    return result;
  } catch (error) {
    progress.stop();
    throw error;
  }
}
