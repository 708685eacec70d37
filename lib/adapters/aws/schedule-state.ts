/** An EventBridge Scheduler schedule's state (GetSchedule), for `doctor`'s schedule check. */
import { GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from "@aws-sdk/client-scheduler";
import { awsClientOptions } from "./aws-clients.js";

export interface ScheduleFacts {
  name: string;
  /** ENABLED or DISABLED; `missing` when no schedule has the name. */
  state: string;
  expression: string | undefined;
}

export async function readScheduleState(
  name: string,
  region: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ScheduleFacts> {
  const client = new SchedulerClient(awsClientOptions(region, env.SCHEDULER_ENDPOINT || undefined));
  try {
    const schedule = await client.send(new GetScheduleCommand({ Name: name }));
    return { name, state: schedule.State ?? "UNKNOWN", expression: schedule.ScheduleExpression };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return { name, state: "missing", expression: undefined };
    throw error;
  } finally {
    client.destroy();
  }
}
