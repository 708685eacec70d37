/**
 * The CLI as a child process, as a user runs it: `dev` in the foreground, and one-shot commands
 * that find the stack through `.notion-index-sync/local.json`. Shared by the CLI end-to-end tests.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "vitest";

const execFileAsync = promisify(execFile);
export const BIN = fileURLToPath(new URL("../../bin/notion-index-sync.js", import.meta.url));
const READY_TIMEOUT_MS = 90_000;

/** The user's environment minus anything that would point the CLI at a real stack, Notion or Pinecone. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: "ERROR" };
  for (const name of [
    "NOTION_TOKEN",
    "NOTION_BASE_URL",
    "PINECONE_API_KEY",
    "PINECONE_INDEX_HOST",
    "EMBEDDING_PROVIDER",
    "EMBEDDING_MODEL",
    "TABLE_NAME",
    "SYNC_QUEUE_URL",
    "INDEX_QUEUE_URL",
    "NOTION_INDEX_SYNC_STACK",
  ]) {
    delete env[name];
  }
  // Secret references would send the CLI to Secrets Manager instead of the local stack.
  for (const name of Object.keys(env)) if (/_SECRET_(NAME|ARN)$/.test(name)) delete env[name];
  return env;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to completion; never throws on a non-zero exit. */
export async function cli(cwd: string, ...args: string[]): Promise<RunResult> {
  return cliWithEnv(cwd, {}, ...args);
}

/** `cli` with variables added to the user's environment (e.g. a token for `connect`). */
export async function cliWithEnv(
  cwd: string,
  extra: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...childEnv(), ...extra },
      timeout: 45_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === "number" ? failed.code : -1,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? String(error),
    };
  }
}

/** Runs a `--json` command that must succeed; its whole stdout must be one JSON document. */
export async function cliJson<T>(cwd: string, ...args: string[]): Promise<T> {
  const result = await cli(cwd, ...args);
  if (result.code !== 0) {
    throw new Error(`${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

/** The failure contract: non-zero exit, nothing on stdout, exactly one line on stderr. */
export function expectOneLineFailure(result: RunResult, reason: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe("");
  expect(result.stderr.endsWith("\n")).toBe(true);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(reason);
}

export interface DevProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `dev` and resolves once it prints "Running" (bounded); rejects if it exits first. */
export async function startDev(cwd: string, args: string[] = ["--sweep-interval", "0"]): Promise<DevProcess> {
  const child = spawn(process.execPath, [BIN, "dev", ...args], {
    cwd,
    env: childEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const dev: DevProcess = { child, output: () => stdout, exited };
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`dev did not print "Running" within ${READY_TIMEOUT_MS} ms:\n${stdout}\n${stderr}`));
    }, READY_TIMEOUT_MS);
    const poll = setInterval(() => {
      if (/^Running/m.test(stdout)) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 100);
    void exited.then(({ code, signal }) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(
        new Error(`dev exited (code ${code}, signal ${signal}) before it was ready:\n${stdout}\n${stderr}`),
      );
    });
  });
  try {
    await ready;
  } catch (error) {
    await stopDev(dev, 5_000).catch(() => undefined);
    throw error;
  }
  return dev;
}

/** SIGINT, then SIGKILL if the process has not exited within the grace period. */
export async function stopDev(dev: DevProcess, graceMs = 20_000) {
  if (dev.child.exitCode === null && dev.child.signalCode === null) dev.child.kill("SIGINT");
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), graceMs);
  });
  const outcome = await Promise.race([dev.exited, hung]);
  clearTimeout(timer);
  if (outcome === "hung") {
    dev.child.kill("SIGKILL");
    await dev.exited;
    throw new Error(`dev did not stop within ${graceMs} ms of SIGINT and was killed`);
  }
  return outcome;
}
