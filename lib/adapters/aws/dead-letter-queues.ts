/**
 * A dead-letter queue's messages, read and moved without losing any:
 * - a read holds each message invisible only while the read goes on and then makes it visible again:
 *   nothing is deleted, and a message is seen once (a receive that brings no new message ends it);
 * - a selective move sends a message to its work queue, and deletes it from the dead-letter queue
 *   only once that send has succeeded;
 * - a full move is SQS's own message-move task.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { PermanentError } from "../../shared/errors.js";

export interface DeadLetter {
  messageId: string;
  body: string;
  /** Set by our functions when they dead-letter a poison message; absent when SQS's redrive policy moved it. */
  reason: string | undefined;
  /** The function that dead-lettered it (`sync`, `index`), likewise. */
  source: string | undefined;
  /** When it was first sent: to the work queue (a redrive policy keeps the time) or to the dead-letter queue. */
  sentAt: Date | undefined;
  /** The tenant the publisher sent it for (docs/scale.md, Fairness). */
  messageGroupId: string | undefined;
}

/** A read stops after about this many messages: enough to act on, bounded in time. */
export const MOST_DEAD_LETTERS_READ = 1000;
/**
 * How long a read hides a message: longer than a read of MOST_DEAD_LETTERS_READ takes, so none shows
 * up again during it; and only that long should the read never get to show them again (a crash).
 */
const HOLD_SECONDS = 300;
/**
 * Long polling while messages the queue reported at the start are still unseen: a short poll may miss
 * messages that are there (it asks only some of SQS's servers). Once they all were, a short poll that
 * brings nothing new ends the read at once.
 */
const WAIT_SECONDS = 1;

export async function readDeadLetters(
  client: SQSClient,
  queueUrl: string,
  limit = MOST_DEAD_LETTERS_READ,
): Promise<{ letters: DeadLetter[]; complete: boolean }> {
  const letters: DeadLetter[] = [];
  const complete = await visitDeadLetters(client, queueUrl, limit, async (letter) => {
    letters.push(letter);
    return "kept";
  });
  return { letters, complete };
}

/**
 * Moves the messages that `selected` picks to `toQueueUrl`, one by one: each is sent with its body and
 * tenant group, then deleted from the dead-letter queue. The others stay where they are, and so do
 * messages dead-lettered after the move began: a moved message that fails again comes back as a new
 * message, which this move must not send round again.
 */
export async function moveDeadLetters(
  client: SQSClient,
  fromQueueUrl: string,
  toQueueUrl: string,
  selected: (letter: DeadLetter) => boolean,
): Promise<{ moved: number; seen: number; complete: boolean }> {
  const startedAt = Date.now();
  let moved = 0;
  let seen = 0;
  const complete = await visitDeadLetters(
    client,
    fromQueueUrl,
    MOST_DEAD_LETTERS_READ,
    async (letter, receiptHandle) => {
      seen += 1;
      const arrivedBefore = letter.sentAt === undefined || letter.sentAt.getTime() <= startedAt;
      if (!arrivedBefore || !selected(letter)) return "kept";
      await client.send(
        new SendMessageCommand({
          QueueUrl: toQueueUrl,
          MessageBody: letter.body,
          MessageGroupId: letter.messageGroupId,
        }),
      );
      await client.send(new DeleteMessageCommand({ QueueUrl: fromQueueUrl, ReceiptHandle: receiptHandle }));
      moved += 1;
      return "taken";
    },
  );
  return { moved, seen, complete };
}

/**
 * Hands each message of the queue to `visit` once, while it is held invisible. Every message not
 * taken is made visible again at the end, whatever happened; `false` when the limit stopped the read.
 */
async function visitDeadLetters(
  client: SQSClient,
  queueUrl: string,
  limit: number,
  visit: (letter: DeadLetter, receiptHandle: string) => Promise<"kept" | "taken">,
): Promise<boolean> {
  const { visible } = await queueFacts(client, queueUrl);
  const seen = new Set<string>();
  /** Message id → its latest receipt handle, for the messages to show again. */
  const held = new Map<string, string>();
  try {
    while (seen.size < limit) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: HOLD_SECONDS,
          WaitTimeSeconds: seen.size < visible ? WAIT_SECONDS : 0,
          MessageSystemAttributeNames: ["SentTimestamp", "MessageGroupId"],
          MessageAttributeNames: ["reason", "source"],
        }),
      );
      let fresh = 0;
      for (const message of Messages) {
        const { MessageId: id, ReceiptHandle: handle } = message;
        if (id === undefined || handle === undefined) continue;
        // Held until shown again, also when SQS delivers a message twice or `visit` fails.
        held.set(id, handle);
        if (seen.has(id)) continue;
        seen.add(id);
        fresh += 1;
        if ((await visit(letterOf(id, message), handle)) === "taken") held.delete(id);
      }
      if (fresh === 0) return true;
    }
    return false;
  } finally {
    await showAgain(client, queueUrl, [...held.values()]);
  }
}

function letterOf(messageId: string, message: Message): DeadLetter {
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    messageId,
    body: message.Body ?? "",
    reason: message.MessageAttributes?.reason?.StringValue,
    source: message.MessageAttributes?.source?.StringValue,
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent) : undefined,
    messageGroupId: message.Attributes?.MessageGroupId,
  };
}

/** Makes held messages visible at once. One that fails comes back by itself after HOLD_SECONDS. */
async function showAgain(client: SQSClient, queueUrl: string, receiptHandles: string[]): Promise<void> {
  for (let start = 0; start < receiptHandles.length; start += 10) {
    const entries = receiptHandles
      .slice(start, start + 10)
      .map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: 0 }));
    await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
}

export interface QueueFacts {
  arn: string;
  /** Messages visible now (approximate, as SQS counts). */
  visible: number;
  /** Receives before SQS moves a message to the dead-letter queue, when the queue has a redrive policy. */
  maxReceiveCount: number | undefined;
}

export async function queueFacts(client: SQSClient, queueUrl: string): Promise<QueueFacts> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["QueueArn", "ApproximateNumberOfMessages", "RedrivePolicy"],
    }),
  );
  if (!Attributes.QueueArn) throw new PermanentError(`SQS did not give the ARN of ${queueUrl}`);
  let maxReceiveCount: number | undefined;
  try {
    const count = Number(JSON.parse(Attributes.RedrivePolicy ?? "{}").maxReceiveCount);
    maxReceiveCount = Number.isInteger(count) && count > 0 ? count : undefined;
  } catch {
    maxReceiveCount = undefined;
  }
  return {
    arn: Attributes.QueueArn,
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    maxReceiveCount,
  };
}

export interface MoveTask {
  status: string;
  moved: number;
  toMove: number | undefined;
  failureReason: string | undefined;
}

/**
 * Starts SQS's message-move task from a dead-letter queue to `destinationArn`. The destination is
 * always named: our functions send poison messages to the dead-letter queue themselves, and for those
 * SQS could not tell the queue to return them to.
 */
export async function startMoveTask(
  client: SQSClient,
  sourceArn: string,
  destinationArn: string,
): Promise<string> {
  try {
    const { TaskHandle } = await client.send(
      new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
    );
    if (!TaskHandle) throw new PermanentError("SQS started a message-move task but gave no handle");
    return TaskHandle;
  } catch (error) {
    if (error instanceof Error && error.name === "UnsupportedOperation") {
      throw new PermanentError(
        `a message-move task of ${sourceArn} is already running: wait for it to finish (${error.message})`,
      );
    }
    throw error;
  }
}

/** The latest message-move task from the queue, if any. */
export async function latestMoveTask(client: SQSClient, sourceArn: string): Promise<MoveTask | undefined> {
  const { Results = [] } = await client.send(
    new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }),
  );
  const [task] = Results;
  if (task === undefined) return undefined;
  return {
    status: task.Status ?? "UNKNOWN",
    moved: task.ApproximateNumberOfMessagesMoved ?? 0,
    toMove: task.ApproximateNumberOfMessagesToMove,
    failureReason: task.FailureReason,
  };
}
