/**
 * SQS for the local stack and the tests: fauxqs's app, listening on 127.0.0.1 only.
 * `startFauxqs` always listens on every interface, which would offer an unauthenticated queue to
 * the network. fauxqs also names queues `http://sqs.<region>.<host>:PORT/…`: with host 127.0.0.1
 * WHATWG `URL` refuses that, and with its default `localhost` the name only resolves where
 * `*.localhost` does. So the URLs callers see are `http://127.0.0.1:PORT/000000000000/<name>`:
 * fauxqs's own are rewritten on the way out, and mapped back on the way in.
 * fauxqs has no message-move tasks (the DLQ redrive of `dlq redrive`); StartMessageMoveTask and
 * ListMessageMoveTasks are answered here, with SQS's documented rules.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type BuildAppOptions, buildApp } from "fauxqs";
import { awsClientOptions } from "../lib/adapters/aws/aws-clients.js";
import { carryGroupIds, type FauxqsQueue, makeFair } from "./fair-queue.js";

const REGION = "us-east-1";
/** A queue URL as fauxqs writes it, in JSON or XML: `http://sqs.<region>.localhost:PORT/<account>/<name>`. */
const INTERNAL_QUEUE_URL = /http:\/\/sqs\.[a-z0-9-]+\.localhost:\d+(\/[^"<&\s]*)/g;

export interface LocalQueue {
  queueUrl: string;
  queueArn: string;
}

export interface SqsServer {
  /** `http://127.0.0.1:PORT`: the endpoint for SQS clients. */
  url: string;
  createQueue(name: string, attributes?: Record<string, string>): Promise<LocalQueue>;
  stop(): Promise<void>;
}

export interface SqsServerOptions {
  /**
   * Fair queues (default true), as SQS has them: `false` delivers in arrival order whatever the
   * group, as SQS did before fair queues; a benchmark compares the two.
   */
  fairQueues?: boolean;
}

export async function startSqsServer(options: SqsServerOptions = {}): Promise<SqsServer> {
  const sqsStore = await queueStore(options.fairQueues ?? true);
  const app = buildApp({ logger: false, stores: { sqsStore } as unknown as BuildAppOptions["stores"] });
  const moveTasks = messageMoveTasks(sqsStore);
  const ownActions: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartMessageMoveTask: (body) => moveTasks.start(body),
    ListMessageMoveTasks: (body) => moveTasks.list(body),
  };
  let url = "";
  /** Our URL of each queue → fauxqs's, learned from the responses that hand the URL out. */
  const internalByPublic = new Map<string, string>();
  app.addHook("onSend", async (_request, _reply, payload) => {
    if (typeof payload !== "string") return payload;
    return payload.replace(INTERNAL_QUEUE_URL, (internal, path: string) => {
      internalByPublic.set(url + path, internal);
      return url + path;
    });
  });
  app.addHook("preHandler", async (request, reply) => {
    const body = request.body as { QueueUrl?: unknown } | undefined;
    if (body && typeof body.QueueUrl === "string") {
      body.QueueUrl = internalByPublic.get(body.QueueUrl) ?? body.QueueUrl;
    }
    const action = String(request.headers["x-amz-target"] ?? "").replace("AmazonSQS.", "");
    if (body && (action === "SendMessage" || action === "SendMessageBatch"))
      carryGroupIds(action, body as Parameters<typeof carryGroupIds>[1]);
    const ownAction = ownActions[action];
    if (ownAction) return answer(reply, () => ownAction((body ?? {}) as Record<string, unknown>));
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("SQS stand-in has no TCP address");
  url = `http://127.0.0.1:${address.port}`;
  const client = new SQSClient(awsClientOptions(REGION, url));
  return {
    url,
    async createQueue(name, attributes) {
      const { QueueUrl } = await client.send(
        new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
      );
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
      );
      if (!QueueUrl || !Attributes?.QueueArn) throw new Error(`SQS stand-in did not create queue ${name}`);
      return { queueUrl: QueueUrl, queueArn: Attributes.QueueArn };
    },
    async stop() {
      moveTasks.stop();
      client.destroy();
      await app.close();
    },
  };
}

/** A queue as fauxqs's store keeps it: what the message-move tasks read and change. */
interface StoredQueue extends FauxqsQueue {
  arn: string;
  attributes: Record<string, string | undefined>;
}

interface QueueStore {
  queues: Map<string, StoredQueue>;
  getQueueByArn(arn: string): StoredQueue | undefined;
  createQueue(...args: unknown[]): StoredQueue;
  /** The queue each message left when its redrive policy moved it to a dead-letter queue. */
  originOf: WeakMap<object, string>;
}

/**
 * fauxqs's queue store, with every standard queue made fair when `fair`, and each message that a
 * redrive policy moves remembered with the queue it left (SQS's redrive "to source" needs it). The
 * store class is not exported, so it is loaded from the fauxqs package folder Node's resolution would use.
 */
async function queueStore(fair: boolean): Promise<QueueStore> {
  const folders = createRequire(import.meta.url).resolve.paths("fauxqs") ?? [];
  const file = folders.map((folder) => join(folder, "fauxqs/dist/sqs/sqsStore.js")).find(existsSync);
  if (file === undefined) throw new Error("SQS stand-in: fauxqs's queue store was not found");
  const { SqsStore } = (await import(pathToFileURL(file).href)) as {
    SqsStore: new () => Omit<QueueStore, "originOf">;
  };
  const store: QueueStore = Object.assign(new SqsStore(), { originOf: new WeakMap<object, string>() });
  const createQueue = store.createQueue.bind(store);
  store.createQueue = (...args) => {
    const queue = createQueue(...args);
    if (fair) makeFair(queue);
    rememberOrigins(queue, store.originOf);
    return queue;
  };
  return store;
}

/** fauxqs hands a message over the limit to the dead-letter queue's `enqueue`: note where it came from. */
function rememberOrigins(queue: StoredQueue, originOf: WeakMap<object, string>): void {
  const dequeue = queue.dequeue.bind(queue);
  queue.dequeue = (maxCount, visibilityTimeout, resolveDeadLetterQueue, ...rest) => {
    const resolve = resolveDeadLetterQueue as ((arn: string) => StoredQueue | undefined) | undefined;
    const noting = (arn: string) => {
      const deadLetterQueue = resolve?.(arn);
      return (
        deadLetterQueue && {
          enqueue(message: object) {
            originOf.set(message, queue.arn);
            deadLetterQueue.enqueue(message as Parameters<StoredQueue["enqueue"]>[0]);
          },
        }
      );
    };
    return dequeue(maxCount, visibilityTimeout, resolve && noting, ...rest);
  };
}

/** The query protocol's code of an error where it differs (the SDK reads it for unmodelled errors). */
const QUERY_ERROR_CODES: Record<string, string> = {
  UnsupportedOperation: "AWS.SimpleQueueService.UnsupportedOperation",
};

/** An error as SQS's JSON protocol returns it. */
class SqsFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
  send(payload: string): Reply;
}

function answer(reply: Reply, work: () => unknown): Reply {
  reply.header("content-type", "application/x-amz-json-1.0");
  try {
    return reply.send(JSON.stringify(work()));
  } catch (error) {
    if (!(error instanceof SqsFault)) throw error;
    return reply
      .status(400)
      .header("x-amzn-query-error", `${QUERY_ERROR_CODES[error.code] ?? error.code};Sender`)
      .send(JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }));
  }
}

type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

interface MoveTask {
  taskHandle: string;
  sourceArn: string;
  destinationArn?: string;
  maxNumberOfMessagesPerSecond?: number;
  status: MoveTaskStatus;
  moved: number;
  toMove: number;
  startedTimestamp: number;
  failureReason?: string;
}

/** How often a running task moves its next messages. */
const MOVE_TICK_MS = 100;
/** Messages moved a tick when the request sets no rate (SQS then picks its own). */
const DEFAULT_MOVES_PER_TICK = 100;

/**
 * SQS's message-move tasks ("dead-letter queue redrive"), as the API reference describes them: the
 * source must be the dead-letter queue of another queue, one task at a time per source, and without
 * a destination each message goes back to the queue it was dead-lettered from (a task fails when a
 * message has none: it was sent to the dead-letter queue directly). A task moves the visible messages
 * in the background and completes when the source has none left.
 */
function messageMoveTasks(store: QueueStore) {
  const tasks: MoveTask[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const existingQueue = (arn: unknown, parameter: string): StoredQueue => {
    const queue = typeof arn === "string" ? store.getQueueByArn(arn) : undefined;
    if (queue === undefined) {
      throw new SqsFault(
        "ResourceNotFoundException",
        `The resource that you specified for the ${parameter} parameter doesn't exist.`,
      );
    }
    return queue;
  };
  const isDeadLetterQueue = (arn: string) =>
    [...store.queues.values()].some((queue) => deadLetterTargetOf(queue) === arn);

  function run(task: MoveTask): void {
    const perTick = task.maxNumberOfMessagesPerSecond
      ? Math.max(1, Math.round((task.maxNumberOfMessagesPerSecond * MOVE_TICK_MS) / 1000))
      : DEFAULT_MOVES_PER_TICK;
    const timer = setInterval(() => {
      const finish = (status: MoveTaskStatus, failureReason?: string) => {
        Object.assign(task, { status, failureReason });
        clearInterval(timer);
        timers.delete(timer);
      };
      const source = store.getQueueByArn(task.sourceArn);
      if (source === undefined) return finish("FAILED", "AWS.SimpleQueueService.NonExistentQueue");
      source.processTimers();
      for (let count = 0; count < perTick && task.moved < task.toMove; count++) {
        const message = source.messages[0];
        if (message === undefined) break;
        const destinationArn = task.destinationArn ?? store.originOf.get(message);
        const destination = destinationArn === undefined ? undefined : store.getQueueByArn(destinationArn);
        if (destination === undefined) return finish("FAILED", "CouldNotDetermineMessageSource");
        source.messages.shift();
        // Back in a work queue, the message starts its receives afresh.
        Object.assign(message, { approximateReceiveCount: 0, approximateFirstReceiveTimestamp: undefined });
        destination.enqueue(message);
        task.moved += 1;
      }
      if (task.moved >= task.toMove || source.messages.length === 0) finish("COMPLETED");
    }, MOVE_TICK_MS);
    timers.add(timer);
  }

  return {
    start(body: Record<string, unknown>) {
      const source = existingQueue(body.SourceArn, "SourceArn");
      if (!isDeadLetterQueue(source.arn)) {
        throw new SqsFault(
          "InvalidParameterValue",
          "Source queue must be configured as a Dead Letter Queue.",
        );
      }
      if (source.isFifo()) {
        throw new SqsFault(
          "UnsupportedOperation",
          "The SQS stand-in moves the messages of standard queues only.",
        );
      }
      if (body.DestinationArn !== undefined) existingQueue(body.DestinationArn, "DestinationArn");
      const rate = body.MaxNumberOfMessagesPerSecond;
      if (rate !== undefined && (!Number.isInteger(rate) || Number(rate) < 1 || Number(rate) > 500)) {
        throw new SqsFault(
          "InvalidParameterValue",
          "Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.",
        );
      }
      if (tasks.some((task) => task.sourceArn === source.arn && task.status === "RUNNING")) {
        throw new SqsFault(
          "UnsupportedOperation",
          "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
        );
      }
      source.processTimers();
      const task: MoveTask = {
        // SQS's handles are base64 JSON of the task id and the source.
        taskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: source.arn })).toString(
          "base64",
        ),
        sourceArn: source.arn,
        destinationArn: body.DestinationArn as string | undefined,
        maxNumberOfMessagesPerSecond: rate as number | undefined,
        status: "RUNNING",
        moved: 0,
        toMove: source.messages.length,
        startedTimestamp: Date.now(),
      };
      tasks.push(task);
      run(task);
      return { TaskHandle: task.taskHandle };
    },

    list(body: Record<string, unknown>) {
      const source = existingQueue(body.SourceArn, "SourceArn");
      const maxResults = body.MaxResults ?? 1;
      if (!Number.isInteger(maxResults) || Number(maxResults) < 1 || Number(maxResults) > 10) {
        throw new SqsFault(
          "InvalidParameterValue",
          "Value for parameter MaxResults is invalid. Reason: Must be between 1 and 10.",
        );
      }
      const newestFirst = tasks.filter((task) => task.sourceArn === source.arn).reverse();
      return {
        Results: newestFirst.slice(0, Number(maxResults)).map((task) => ({
          // Only a running task has a handle (to cancel it with).
          ...(task.status === "RUNNING" ? { TaskHandle: task.taskHandle } : {}),
          Status: task.status,
          SourceArn: task.sourceArn,
          ...(task.destinationArn === undefined ? {} : { DestinationArn: task.destinationArn }),
          ...(task.maxNumberOfMessagesPerSecond === undefined
            ? {}
            : { MaxNumberOfMessagesPerSecond: task.maxNumberOfMessagesPerSecond }),
          ApproximateNumberOfMessagesMoved: task.moved,
          ApproximateNumberOfMessagesToMove: task.toMove,
          StartedTimestamp: task.startedTimestamp,
          ...(task.failureReason === undefined ? {} : { FailureReason: task.failureReason }),
        })),
      };
    },

    stop() {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
    },
  };
}

function deadLetterTargetOf(queue: StoredQueue): string | undefined {
  try {
    const policy = JSON.parse(queue.attributes.RedrivePolicy ?? "{}") as { deadLetterTargetArn?: unknown };
    return typeof policy.deadLetterTargetArn === "string" ? policy.deadLetterTargetArn : undefined;
  } catch {
    return undefined;
  }
}
