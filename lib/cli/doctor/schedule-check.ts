/**
 * Check 7: the sweep schedule is on. Without it, nothing notices a change that no webhook reported.
 * - local: the stack's sweep interval (local.json), 0 meaning off;
 * - deployed: the stack's sweep schedule among its resources. An EventBridge rule's state is read
 *   with DescribeRule. The stack (infra/stack.ts) schedules with EventBridge Scheduler
 *   (AWS::Scheduler::Schedule), whose API the CLI does not carry (@aws-sdk/client-scheduler): for
 *   those, the schedule's deployment status is checked and the line says its state was not read.
 */
import { describeEventRule } from "../../adapters/aws/event-rule.js";
import type { StackResource } from "../../adapters/aws/stack-resources.js";
import type { DoctorContext } from "./context.js";
import { type Check, type CheckResult, failed, passed, skipped } from "./run-checks.js";

const NAME = "schedule";
/** The sweep's construct id in infra/stack.ts (the reconcile schedule is checked alike). */
const SCHEDULE_IDS = ["SweepSchedule", "ReconcileSchedule"];

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
  const resources = await context.stackResources();
  const rules = resources.filter((resource) => resource.type === "AWS::Events::Rule" && isSchedule(resource));
  const schedules = resources.filter(
    (resource) => resource.type === "AWS::Scheduler::Schedule" && isSchedule(resource),
  );
  if (rules.length === 0 && schedules.length === 0) {
    return [failed(NAME, `${context.label} has no sweep schedule`, "deploy this version: `npx cdk deploy`")];
  }
  const region = context.stack.region;
  return Promise.all([
    ...rules.map(async (rule): Promise<CheckResult> => {
      const check = `${NAME} ${rule.logicalId}`;
      const facts = await describeEventRule(rule.physicalId, region);
      if (facts.state !== "ENABLED") {
        return failed(
          check,
          `rule ${facts.name} is ${facts.state}`,
          `aws events enable-rule --name ${facts.name}`,
        );
      }
      return passed(
        check,
        `rule ${facts.name} is enabled${facts.scheduleExpression ? ` (${facts.scheduleExpression})` : ""}`,
      );
    }),
    ...schedules.map(async (schedule): Promise<CheckResult> => {
      const check = `${NAME} ${schedule.logicalId}`;
      if (!/_COMPLETE$/.test(schedule.status) || /ROLLBACK|DELETE/.test(schedule.status)) {
        return failed(
          check,
          `schedule ${schedule.physicalId} is ${schedule.status}`,
          "deploy again: `npx cdk deploy`",
        );
      }
      return passed(
        check,
        `schedule ${schedule.physicalId} is deployed (${schedule.status}); its state is not read: \`aws scheduler get-schedule --name ${schedule.physicalId}\` shows it`,
      );
    }),
  ]);
}

function isSchedule(resource: StackResource): boolean {
  return SCHEDULE_IDS.some((id) => resource.logicalId.startsWith(id));
}
