/**
 * The SQS stand-in: loopback only, queue URLs that are plain URLs any SQS client can use, and fair
 * queues (a standard queue whose messages carry a group: one tenant's backlog does not hold back
 * another's), which the publisher relies on.
 */
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClientOptions } from "../../lib/adapters/aws/aws-clients.js";
import { createSqsPublisher } from "../../lib/adapters/aws/sqs-queue.js";
import { type SqsServer, startSqsServer } from "../../local/sqs-server.js";

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

  /** Receives up to `count` bodies without deleting them: they stay in flight. */
  async function take(queueUrl: string, count: number): Promise<string[]> {
    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: count, VisibilityTimeout: 60 }),
    );
    return (received.Messages ?? []).map((message) => message.Body ?? "");
  }

  it("delivers a quiet tenant's messages before a backlog sent earlier by another tenant", async () => {
    const { queueUrl } = await server.createQueue("fair");
    const entries = (tenant: string, from: number) =>
      Array.from({ length: 10 }, (_, i) => ({
        Id: `${tenant}${from + i}`,
        MessageBody: `${tenant}${from + i}`,
        MessageGroupId: tenant,
      }));
    for (const from of [0, 10, 20]) {
      await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries("a", from) }));
    }
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "b0", MessageGroupId: "b" }));
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "b1", MessageGroupId: "b" }));
    // Nothing in flight: the oldest first, then the tenant with fewer in flight.
    expect(await take(queueUrl, 4)).toEqual(["a0", "b0", "a1", "b1"]);
    // Tenant a has two in flight, b none waiting: a's backlog goes on, oldest first.
    expect(await take(queueUrl, 3)).toEqual(["a2", "a3", "a4"]);
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "b2", MessageGroupId: "b" }));
    expect(await take(queueUrl, 1)).toEqual(["b2"]);
  });

  it("keeps arrival order for messages without a group", async () => {
    const { queueUrl } = await server.createQueue("unfair");
    for (const body of ["one", "two", "three"]) {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }
    expect(await take(queueUrl, 3)).toEqual(["one", "two", "three"]);
  });

  it("the publisher sends each message with its tenant as the group", async () => {
    const { queueUrl } = await server.createQueue("published");
    const publisher = createSqsPublisher(client, queueUrl);
    await publisher.send({ tenantId: "acme", datasetId: "d", documentId: "x" });
    await publisher.send({ datasetId: "d", documentId: "y" });
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 2,
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    );
    const groups = Object.fromEntries(
      (received.Messages ?? []).map((m) => [
        JSON.parse(m.Body ?? "{}").documentId,
        m.Attributes?.MessageGroupId,
      ]),
    );
    expect(groups).toEqual({ x: "acme", y: undefined });
  });
});
