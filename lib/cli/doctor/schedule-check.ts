/**
 * Check 7: the sweep schedule is on. Without it, nothing notices a change that no webhook reported.
 * - local: the stack's sweep interval (local.json), 0 meaning off;
 * - deployed: the sweep and reconcile schedules the stack names in its outputs, read with
 *   EventBridge Scheduler's GetSchedule (ENABLED, DISABLED, or missing).
 */
import { readScheduleState } from "../../adapters/aws/schedule-state.js";
import type { InfoOutput } from "../../shared/stack-outputs.js";
import type { DoctorContext } from "./context.js";
import { type Check, type CheckResult, failed, passed, skipped } from "./run-checks.js";

const NAME = "schedule";
/** The stack names its two schedules in its outputs (infra/stack.ts). */
const SCHEDULE_OUTPUTS: { output: InfoOutput; what: string }[] = [
  { output: "SweepScheduleName", what: "sweep" },
  { output: "ReconcileScheduleName", what: "reconcile" },
];

export function scheduleCheck(context: DoctorContext): Check {
  return {
    name: NAME,
    run: async () => (context.kind === "local" ? [localSchedule(context)] : deployedSchedules(context)),
  };
}

function localSchedule(context: DoctorContext): CheckResult {
  const seconds = context.local?.sweepIntervalSeconds;
  if (seconds === undefined) {
    return skipped(
      NAME,
      "local.json does not say (a stack started by an older version): restart it to check",
    );
  }
  if (seconds <= 0) {
    return failed(
      NAME,
      "scheduled sweeps are off (sweep interval 0)",
      "start the local stack with a sweep interval: `notion-index-sync dev --sweep-interval 300`",
    );
  }
  return passed(NAME, `a sweep every ${seconds} s`);
}

async function deployedSchedules(context: DoctorContext): Promise<CheckResult[]> {
  if (!context.stack) return [skipped(NAME, "needs the stack's outputs: see the outputs check")];
  const { outputs, region } = context.stack;
  return Promise.all(
    SCHEDULE_OUTPUTS.map(async ({ output, what }): Promise<CheckResult> => {
      const check = `${NAME} ${what}`;
      const name = outputs[output];
      if (!name) {
        return failed(
          check,
          `the stack has no ${output} output (deployed before issue 19)`,
          "deploy this version: `npx cdk deploy`",
        );
      }
      const facts = await readScheduleState(name, region);
      if (facts.state === "missing") {
        return failed(check, `schedule ${name} does not exist`, "deploy again: `npx cdk deploy`");
      }
      if (facts.state !== "ENABLED") {
        return failed(
          check,
          `schedule ${name} is ${facts.state}`,
          `enable it: \`aws scheduler update-schedule --name ${name} --state ENABLED …\` (update-schedule needs the whole definition: the console's Enable is simpler)`,
        );
      }
      return passed(check, `schedule ${name} is enabled${facts.expression ? ` (${facts.expression})` : ""}`);
    }),
  );
}
