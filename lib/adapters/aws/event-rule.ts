/** An EventBridge rule's state (DescribeRule), for `doctor`'s schedule check. */
import { DescribeRuleCommand, EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { awsClientOptions } from "./aws-clients.js";

export interface RuleFacts {
  name: string;
  /** ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. */
  state: string;
  scheduleExpression: string | undefined;
}

export async function describeEventRule(
  name: string,
  region: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RuleFacts> {
  const client = new EventBridgeClient(awsClientOptions(region, env.EVENTBRIDGE_ENDPOINT || undefined));
  try {
    const rule = await client.send(new DescribeRuleCommand({ Name: name }));
    return {
      name: rule.Name ?? name,
      state: rule.State ?? "UNKNOWN",
      scheduleExpression: rule.ScheduleExpression,
    };
  } finally {
    client.destroy();
  }
}
