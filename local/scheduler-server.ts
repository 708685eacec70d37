/**
 * An EventBridge Scheduler stand-in for tests, just enough for `doctor`: GetSchedule
 * (`GET /schedules/{Name}`, REST and JSON as the real `@aws-sdk/client-scheduler` speaks it;
 * `ResourceNotFoundException` for a name it does not hold), on 127.0.0.1.
 */
import { sendJson, startJsonServer } from "./json-http.js";

export interface StandInSchedule {
  name: string;
  state: "ENABLED" | "DISABLED";
  expression: string;
}

export interface SchedulerStandIn {
  url: string;
  schedules: Map<string, StandInSchedule>;
  close(): Promise<void>;
}

export async function startSchedulerServer(options: {
  schedules: StandInSchedule[];
  region?: string;
}): Promise<SchedulerStandIn> {
  const region = options.region ?? "us-east-1";
  const schedules = new Map(options.schedules.map((schedule) => [schedule.name, schedule]));
  const server = await startJsonServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const match = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (req.method !== "GET" || !match) {
      sendJson(
        res,
        404,
        { Message: `no route ${req.method} ${url.pathname}` },
        { "x-amzn-errortype": "UnknownOperationException" },
      );
      return;
    }
    const name = decodeURIComponent(match[1] ?? "");
    const schedule = schedules.get(name);
    if (!schedule) {
      sendJson(
        res,
        404,
        { Message: `Schedule ${name} does not exist.` },
        { "x-amzn-errortype": "ResourceNotFoundException" },
      );
      return;
    }
    const group = url.searchParams.get("groupName") ?? "default";
    sendJson(res, 200, {
      Arn: `arn:aws:scheduler:${region}:000000000000:schedule/${group}/${name}`,
      Name: name,
      GroupName: group,
      State: schedule.state,
      ScheduleExpression: schedule.expression,
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: {
        Arn: `arn:aws:sqs:${region}:000000000000:sync`,
        RoleArn: `arn:aws:iam::000000000000:role/schedule`,
      },
    });
  });
  return { url: server.origin, schedules, close: server.close };
}
