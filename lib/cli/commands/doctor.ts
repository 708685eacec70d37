/**
 * `doctor`: checks a deployed stack (`--stack NAME`) or the local stack end to end, one line per
 * check with the fix when it fails, and exits non-zero when any check failed. It does not use
 * `connect`, which stops at the first missing output or unreadable secret: those are what doctor
 * reports. The checks live in ../doctor (one file per check); none reads or prints a secret's value
 * beyond what it needs to ask Notion or Pinecone.
 */
import { describeStackFacts } from "../../adapters/aws/stack-resources.js";
import { PermanentError } from "../../shared/errors.js";
import { type ConnectOptions, resolveTarget, STACK_VARIABLE, type Target } from "../connect.js";
import { createDoctorContext, type DoctorTarget } from "../doctor/context.js";
import { notionCheck } from "../doctor/notion-check.js";
import { outputsCheck } from "../doctor/outputs-check.js";
import { pineconeCheck } from "../doctor/pinecone-check.js";
import { queuesCheck } from "../doctor/queues-check.js";
import { type CheckResult, failed, reasonOf, runChecks } from "../doctor/run-checks.js";
import { scheduleCheck } from "../doctor/schedule-check.js";
import { schemaCheck } from "../doctor/schema-check.js";
import { secretsCheck } from "../doctor/secrets-check.js";
import { webhookCheck } from "../doctor/webhook-check.js";
import { localInfoPath } from "../local-stack-info.js";
import { printJson, printLine } from "../output.js";
import { useColour } from "../table.js";

export interface DoctorOptions {
  json?: boolean;
  /** Seconds each check may take (default 10). */
  timeout?: number;
  /** Messages a work queue may hold waiting before it counts as backing up (default 1000). */
  maxWaiting?: number;
}

export const DEFAULT_CHECK_TIMEOUT_SECONDS = 10;
export const DEFAULT_MAX_WAITING = 1000;

/** `target` is for tests: the stack to check, instead of the one the options point at. */
export async function doctorCommand(
  connectOptions: ConnectOptions,
  options: DoctorOptions,
  target?: Target,
): Promise<void> {
  const results = await runDoctor(target ?? (await resolveTarget(connectOptions).catch(noTarget)), options);
  if (options.json) {
    printJson(
      results.map(({ check, ok, skipped, detail, fix }) => ({
        check,
        ok,
        ...(skipped ? { skipped: true } : {}),
        detail,
        fix: fix ?? null,
      })),
    );
  } else {
    for (const line of formatResults(results, useColour())) printLine(line);
  }
  const failures = results.filter((result) => !result.ok).length;
  if (failures > 0) {
    throw new PermanentError(`doctor: ${failures} of ${results.length} checks failed`);
  }
}

/** No stack to check: `--local` without local.json, or a local.json that cannot be read. */
type NoTarget = { kind: "none"; reason: string };

const noTarget = (error: unknown): NoTarget => ({ kind: "none", reason: reasonOf(error) });

/** Every check's lines, in a fixed order. */
export async function runDoctor(target: Target | NoTarget, options: DoctorOptions): Promise<CheckResult[]> {
  const timeoutMs = (options.timeout ?? DEFAULT_CHECK_TIMEOUT_SECONDS) * 1000;
  if (target.kind === "none") {
    return [
      failed(
        "outputs",
        target.reason,
        `start the local stack with \`npm start\` (it writes ${localInfoPath()})`,
      ),
    ];
  }
  if (target.kind === "environment") {
    return [
      failed(
        "outputs",
        "no stack to check",
        `pass --stack NAME (or set ${STACK_VARIABLE}) for a deployed stack, or start the local one with \`npm start\``,
      ),
    ];
  }
  const doctorTarget: DoctorTarget =
    target.kind === "local" ? target : await deployedTarget(target.name, timeoutMs);
  const context = createDoctorContext(doctorTarget, {
    timeoutMs,
    maxWaiting: options.maxWaiting ?? DEFAULT_MAX_WAITING,
  });
  try {
    const checks = [
      outputsCheck(context),
      secretsCheck(context),
      pineconeCheck(context),
      notionCheck(context),
      webhookCheck(context),
      queuesCheck(context),
      scheduleCheck(context),
      schemaCheck(context),
    ];
    return await runChecks(checks, { timeoutMs, secrets: context.secretValues });
  } finally {
    context.close();
  }
}

/** The stack's outputs, or why they cannot be read (then the outputs check fails with it). */
async function deployedTarget(name: string, timeoutMs: number): Promise<DoctorTarget> {
  try {
    const facts = await Promise.race([
      describeStackFacts(name),
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`CloudFormation: no answer within ${timeoutMs / 1000} s`)),
          timeoutMs,
        ).unref(),
      ),
    ]);
    return { kind: "stack", name, facts, error: undefined };
  } catch (error) {
    return { kind: "stack", name, facts: undefined, error: reasonOf(error) };
  }
}

const MARKS = { ok: "✓", failed: "✗", skipped: "–" };

/** `✓ outputs: 19 outputs present`, `✗ check: detail — fix: …`. */
export function formatResults(results: CheckResult[], colour = false): string[] {
  const paint = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  return results.map((result) => {
    const mark = result.skipped
      ? paint(2, MARKS.skipped)
      : result.ok
        ? paint(32, MARKS.ok)
        : paint(31, MARKS.failed);
    const fix = !result.ok && result.fix ? ` — fix: ${result.fix}` : "";
    return `${mark} ${result.check}: ${result.detail}${fix}`;
  });
}
