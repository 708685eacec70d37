/** The Lambda `Context` a local invocation gets: what the handlers and Powertools read from it. */
import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

export function localLambdaContext(
  functionName: string,
  limits: { timeoutMs: number; memoryMb: number },
): Context {
  const deadline = Date.now() + limits.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(limits.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
