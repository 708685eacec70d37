/**
 * The local stack runs each function as Lambda does (local/function-runner.ts): its own execution
 * environment, a context that counts down from its timeout, and an invocation stopped at that
 * deadline, whose batch comes back after the visibility timeout.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataClients } from "../../lib/adapters/aws/aws-clients.js";
import { createFunctionRunner, InvocationTimeoutError } from "../../local/function-runner.js";
import { startQueuePoller } from "../../local/sqs-poller.js";
import { type SqsServer, startSqsServer } from "../../local/sqs-server.js";

const HANDLER = new URL("../fixtures/lambda/slow-handler.ts", import.meta.url);
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "nis-runner-"));
});

function event(body: object, receiveCount = "1") {
  return {
    Records: [{ body: JSON.stringify(body), attributes: { ApproximateReceiveCount: receiveCount } }],
  };
}

async function markerText(marker: string): Promise<string> {
  return readFile(marker, "utf8").catch(() => "");
}

describe("the local function runner", () => {
  it("gives each invocation a context that counts down from the function's timeout", async () => {
    const runner = createFunctionRunner({ functionName: "f", handlerModule: HANDLER, timeoutMs: 5_000 });
    try {
      const result = await runner.invoke<{ remainingMs: number }>(event({}));
      expect(result.remainingMs).toBeGreaterThan(0);
      expect(result.remainingMs).toBeLessThanOrEqual(5_000);
    } finally {
      await runner.stop();
    }
  });

  it("stops an invocation at its deadline: it fails, and its work after the deadline never happens", async () => {
    const marker = join(folder, "stopped.txt");
    const runner = createFunctionRunner({ functionName: "f", handlerModule: HANDLER, timeoutMs: 300 });
    try {
      await expect(runner.invoke(event({ sleepMs: 1_500, marker }))).rejects.toBeInstanceOf(
        InvocationTimeoutError,
      );
      // Had the handler gone on in the background, it would have written by now.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await markerText(marker)).toBe("");
      // The next invocation gets a new environment and runs.
      await runner.invoke(event({ marker }));
      expect(await markerText(marker)).toBe("receive 1\n");
    } finally {
      await runner.stop();
    }
  });
});

describe("a timed-out batch on the queue", () => {
  let sqsServer: SqsServer;

  beforeAll(async () => {
    sqsServer = await startSqsServer();
  });

  afterAll(async () => {
    await sqsServer.stop();
  });

  it("comes back after the visibility timeout and succeeds on its next receive", async () => {
    const queue = await sqsServer.createQueue("runner-test", { VisibilityTimeout: "1" });
    const { sqs } = createDataClients({ AWS_REGION: "us-east-1", SQS_ENDPOINT: sqsServer.url });
    const marker = join(folder, "queue.txt");
    const runner = createFunctionRunner({ functionName: "f", handlerModule: HANDLER, timeoutMs: 300 });
    const outcomes: string[] = [];
    const poller = startQueuePoller({
      sqs,
      queueUrl: queue.queueUrl,
      queueArn: queue.queueArn,
      functionName: "f",
      invoke: (batch) => runner.invoke(batch),
      batchSize: 1,
      region: "us-east-1",
      onBatch: (summary) => outcomes.push(summary.error ? "failed" : "done"),
    });
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.queueUrl,
          MessageBody: JSON.stringify({ sleepMs: 1_500, marker }),
        }),
      );
      const deadline = Date.now() + 15_000;
      while (!outcomes.includes("done") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(outcomes.slice(0, 2)).toEqual(["failed", "done"]);
      expect(await markerText(marker)).toBe("receive 2\n");
    } finally {
      await poller.stop();
      await runner.stop();
    }
  });
});
