/**
 * The SQS stand-in: loopback only, queue URLs that are plain URLs any SQS client can use, fair
 * queues (a standard queue whose messages carry a group: one tenant's backlog does not hold back
 * another's), which the publisher relies on, and SQS's message-move tasks (`dlq redrive`).
 */
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
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

describe("SQS stand-in: message-move tasks", () => {
  /** A work queue whose redrive policy moves a message to its dead-letter queue after one receive. */
  async function queuePair(name: string) {
    const deadLetterQueue = await server.createQueue(`${name}-dlq`);
    const workQueue = await server.createQueue(name, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueue.queueArn, maxReceiveCount: 1 }),
    });
    return { workQueue, deadLetterQueue };
  }

  /** Sends the bodies to the work queue and has the redrive policy move them to the dead-letter queue. */
  async function deadLetter(queueUrl: string, bodies: string[]) {
    for (const body of bodies) {
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: "t" }),
      );
    }
    // The first receive is allowed; the next finds each message over the limit and moves it.
    for (let receive = 0; receive < 2; receive++) {
      await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
    }
  }

  async function finished(sourceArn: string): Promise<ListMessageMoveTasksResultEntry> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const { Results = [] } = await client.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn }));
      const [task] = Results;
      if (task && task.Status !== "RUNNING") return task;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error("the message-move task did not finish");
  }

  it("refuses a source that is no queue's dead-letter queue, and one that does not exist", async () => {
    const { workQueue } = await queuePair("move-not-dlq");
    await expect(
      client.send(new StartMessageMoveTaskCommand({ SourceArn: workQueue.queueArn })),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: expect.stringMatching(/Dead Letter Queue/),
    });
    await expect(
      client.send(new StartMessageMoveTaskCommand({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:nope" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("moves the messages back to the queue they came from, one task at a time per source", async () => {
    const { workQueue, deadLetterQueue } = await queuePair("move-to-source");
    await deadLetter(workQueue.queueUrl, ["one", "two", "three"]);
    const { TaskHandle } = await client.send(
      new StartMessageMoveTaskCommand({ SourceArn: deadLetterQueue.queueArn }),
    );
    expect(TaskHandle).toBeTruthy();
    // The first task is still running: a second one is refused.
    await expect(
      client.send(new StartMessageMoveTaskCommand({ SourceArn: deadLetterQueue.queueArn })),
    ).rejects.toMatchObject({ name: "UnsupportedOperation" });
    const running = await client.send(
      new ListMessageMoveTasksCommand({ SourceArn: deadLetterQueue.queueArn }),
    );
    expect(running.Results?.[0]).toMatchObject({ Status: "RUNNING", TaskHandle });

    const task = await finished(deadLetterQueue.queueArn);
    expect(task).toMatchObject({
      Status: "COMPLETED",
      SourceArn: deadLetterQueue.queueArn,
      ApproximateNumberOfMessagesMoved: 3,
      ApproximateNumberOfMessagesToMove: 3,
    });
    // A finished task has no handle, and named no destination.
    expect(task.TaskHandle).toBeUndefined();
    expect(task.DestinationArn).toBeUndefined();
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: workQueue.queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["ApproximateReceiveCount", "MessageGroupId"],
      }),
    );
    expect(received.Messages?.map((message) => message.Body).sort()).toEqual(["one", "three", "two"]);
    // Back in the work queue each starts its receives afresh, in its tenant's group.
    for (const message of received.Messages ?? []) {
      expect(message.Attributes).toMatchObject({ ApproximateReceiveCount: "1", MessageGroupId: "t" });
    }
  });

  it("moves to a named destination, and fails a move to source for a message sent there directly", async () => {
    const { deadLetterQueue } = await queuePair("move-direct");
    const elsewhere = await server.createQueue("move-elsewhere");
    await client.send(new SendMessageCommand({ QueueUrl: deadLetterQueue.queueUrl, MessageBody: "poison" }));

    await client.send(new StartMessageMoveTaskCommand({ SourceArn: deadLetterQueue.queueArn }));
    expect(await finished(deadLetterQueue.queueArn)).toMatchObject({
      Status: "FAILED",
      FailureReason: "CouldNotDetermineMessageSource",
      ApproximateNumberOfMessagesMoved: 0,
    });

    await client.send(
      new StartMessageMoveTaskCommand({
        SourceArn: deadLetterQueue.queueArn,
        DestinationArn: elsewhere.queueArn,
      }),
    );
    expect(await finished(deadLetterQueue.queueArn)).toMatchObject({
      Status: "COMPLETED",
      DestinationArn: elsewhere.queueArn,
      ApproximateNumberOfMessagesMoved: 1,
    });
    const moved = await client.send(new ReceiveMessageCommand({ QueueUrl: elsewhere.queueUrl }));
    expect(moved.Messages?.map((message) => message.Body)).toEqual(["poison"]);
    // Both tasks are listed, the newest first.
    const { Results = [] } = await client.send(
      new ListMessageMoveTasksCommand({ SourceArn: deadLetterQueue.queueArn, MaxResults: 10 }),
    );
    expect(Results.map((task) => task.Status)).toEqual(["COMPLETED", "FAILED"]);
  });
});
