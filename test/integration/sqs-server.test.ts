/**
 * The SQS stand-in: loopback only, and queue URLs that are plain URLs any SQS client can use.
 */
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClientOptions } from "../../lib/adapters/aws-clients.js";
import { type SqsServer, startSqsServer } from "../../lib/local/sqs-server.js";

let server: SqsServer;
let client: SQSClient;

beforeAll(async () => {
  server = await startSqsServer();
  client = new SQSClient(awsClientOptions("us-east-1", server.url));
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describe("SQS stand-in", () => {
  it("listens on 127.0.0.1", () => {
    expect(new URL(server.url).hostname).toBe("127.0.0.1");
  });

  it("creates queues whose URLs parse and name the queue on 127.0.0.1", async () => {
    const queue = await server.createQueue("probe-queue", { VisibilityTimeout: "5" });
    const url = new URL(queue.queueUrl);
    expect(url.origin).toBe(server.url);
    expect(url.pathname).toBe("/000000000000/probe-queue");
    expect(queue.queueArn).toBe("arn:aws:sqs:us-east-1:000000000000:probe-queue");
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: "probe-queue" }));
    expect(QueueUrl).toBe(queue.queueUrl);
  });

  it("sends and receives through the URL exactly as created", async () => {
    const { queueUrl } = await server.createQueue("round-trip");
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "hello" }));
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    expect(received.Messages?.map((message) => message.Body)).toEqual(["hello"]);
    const handle = received.Messages?.[0]?.ReceiptHandle;
    await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: handle }));
  });
});
