/**
 * `dlq list|redrive`: the dead-letter queues, made something to act on.
 * - `list` shows why each message is there (the reason our functions gave, or that it failed every
 *   retry), where from, since when, and the start of its body with secrets removed. It deletes nothing:
 *   the messages are visible again when it ends.
 * - `redrive` moves messages back to their work queue: all of them with SQS's own message-move task,
 *   or, with `--reason-matches`, only those whose reason matches, one by one (sent, then deleted).
 * Message bodies are never printed whole: they may hold what a poison message carried.
 */
import {
  type DeadLetter,
  latestMoveTask,
  MOST_DEAD_LETTERS_READ,
  type MoveTask,
  moveDeadLetters,
  queueFacts,
  readDeadLetters,
  startMoveTask,
} from "../../adapters/aws/dead-letter-queues.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { printJson, printLine, truncate } from "../output.js";
import { redactSecrets } from "../redact.js";
import { type Column, formatTable, plural, terminalWidth } from "../table.js";

export const WORK_QUEUES = ["sync", "index"] as const;
export type WorkQueue = (typeof WORK_QUEUES)[number];

export interface DlqListOptions {
  queue?: WorkQueue;
  json?: boolean;
}

export interface DlqRedriveOptions {
  queue?: WorkQueue;
  reasonMatches?: string;
  json?: boolean;
}

/** How much of a body `list --json` shows, and the table. */
const PREVIEW_CHARS = 200;
const TABLE_PREVIEW_CHARS = 24;
/** How long `redrive` follows SQS's message-move task before it reports the task as still running. */
const MOVE_TASK_WAIT_MS = 30_000;
const MOVE_TASK_POLL_MS = 500;

/** A work queue and its dead-letter queue. */
interface QueuePair {
  name: WorkQueue;
  workQueueUrl: string;
  deadLetterQueueUrl: string;
}

export async function dlqListCommand(connection: Connection, options: DlqListOptions): Promise<void> {
  const { sqs } = connection.adapters;
  // Both queues at once: each read ends with one long poll that finds nothing new.
  const listed = await Promise.all(
    pairsOf(connection, options.queue).map(async (pair) => {
      const { maxReceiveCount } = await queueFacts(sqs, pair.workQueueUrl);
      const { letters, complete } = await readDeadLetters(sqs, pair.deadLetterQueueUrl);
      return { pair, complete, views: letters.map((letter) => letterView(pair, letter, maxReceiveCount)) };
    }),
  );
  const views = listed.flatMap(({ views }) => views);
  const cut = listed.filter(({ complete }) => !complete).map(({ pair }) => pair.name);
  if (options.json) {
    printJson({ messages: views, ...(cut.length > 0 ? { truncated: cut } : {}) });
    return;
  }
  const names = listed.map(({ pair }) => pair.name).join(" and ");
  if (views.length === 0) {
    printLine(
      `no dead letters: the ${names} dead-letter queue${listed.length === 1 ? " is" : "s are"} empty`,
    );
    return;
  }
  // The reason last, like `status`'s errors: it takes the width the rest leaves.
  const columns: Column[] = [
    { header: "queue", cells: views.map((view) => view.queue) },
    { header: "first seen", cells: views.map((view) => view.firstSeen ?? "-"), dropPriority: 3 },
    { header: "source", cells: views.map((view) => view.source), dropPriority: 1 },
    {
      header: "body",
      cells: views.map((view) => truncate(view.preview, TABLE_PREVIEW_CHARS)),
      dropPriority: 2,
    },
    { header: "reason", cells: views.map((view) => view.reason), minWidth: 32 },
  ];
  for (const line of formatTable(columns, terminalWidth())) printLine(line);
  printLine();
  const counts = listed.map(
    ({ pair, views: held }) => `${held.length} in the ${pair.name} dead-letter queue`,
  );
  printLine(`${plural(views.length, "dead letter")}: ${counts.join(", ")}.`);
  for (const name of cut) {
    printLine(
      `The ${name} dead-letter queue holds more: only the first ${MOST_DEAD_LETTERS_READ} were read.`,
    );
  }
  printLine("Move them back with `notion-index-sync dlq redrive` (only some: --reason-matches RE).");
}

export async function dlqRedriveCommand(connection: Connection, options: DlqRedriveOptions): Promise<void> {
  // A bad expression fails before anything moves.
  const pattern = options.reasonMatches === undefined ? undefined : compile(options.reasonMatches);
  const results = [];
  for (const pair of pairsOf(connection, options.queue)) {
    const result =
      pattern === undefined ? await moveAll(connection, pair) : await moveMatching(connection, pair, pattern);
    if (!options.json) printLine(summary(pair, result));
    results.push({ queue: pair.name, from: pair.deadLetterQueueUrl, to: pair.workQueueUrl, ...result });
  }
  if (options.json) printJson({ queues: results });
}

interface RedriveResult {
  moved: number;
  of: number;
  /** Set when SQS's message-move task did the moving. */
  taskHandle?: string;
  status?: string;
}

/** Every message, by SQS's message-move task, followed until it finishes (or for a while). */
async function moveAll(connection: Connection, pair: QueuePair): Promise<RedriveResult> {
  const { sqs } = connection.adapters;
  const deadLetterQueue = await queueFacts(sqs, pair.deadLetterQueueUrl);
  if (deadLetterQueue.visible === 0) return { moved: 0, of: 0 };
  const workQueue = await queueFacts(sqs, pair.workQueueUrl);
  const taskHandle = await startMoveTask(sqs, deadLetterQueue.arn, workQueue.arn);
  let task: MoveTask | undefined;
  for (const deadline = Date.now() + MOVE_TASK_WAIT_MS; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, MOVE_TASK_POLL_MS));
    task = await latestMoveTask(sqs, deadLetterQueue.arn);
    if (task !== undefined && task.status !== "RUNNING") break;
  }
  if (task?.status === "FAILED") {
    throw new PermanentError(
      `SQS's move of the ${pair.name} dead-letter queue failed after ${task.moved} message(s): ${task.failureReason ?? "no reason given"}`,
    );
  }
  return {
    moved: task?.moved ?? 0,
    of: task?.toMove ?? deadLetterQueue.visible,
    taskHandle,
    status: task?.status ?? "RUNNING",
  };
}

/** Only the messages whose reason matches, one at a time; the rest stay. */
async function moveMatching(
  connection: Connection,
  pair: QueuePair,
  pattern: RegExp,
): Promise<RedriveResult> {
  const { sqs } = connection.adapters;
  const { maxReceiveCount } = await queueFacts(sqs, pair.workQueueUrl);
  const { moved, seen } = await moveDeadLetters(sqs, pair.deadLetterQueueUrl, pair.workQueueUrl, (letter) =>
    pattern.test(reasonOf(letter, maxReceiveCount)),
  );
  return { moved, of: seen };
}

function summary(pair: QueuePair, result: RedriveResult): string {
  const route = `from the ${pair.name} dead-letter queue to the ${pair.name} queue`;
  if (result.status === "RUNNING") {
    return `moving ${plural(result.of, "message")} ${route}: ${result.moved} moved so far (SQS message-move task ${result.taskHandle}; \`dlq list\` shows what is left)`;
  }
  const task = result.taskHandle === undefined ? "" : ` (SQS message-move task ${result.taskHandle})`;
  return `moved ${result.moved} of ${plural(result.of, "message")} ${route}${task}`;
}

function compile(expression: string): RegExp {
  try {
    return new RegExp(expression);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PermanentError(`--reason-matches: not a valid regular expression: ${reason}`);
  }
}

function pairsOf(connection: Connection, only: WorkQueue | undefined): QueuePair[] {
  return (only === undefined ? WORK_QUEUES : [only]).map((name) => {
    const deadLetterQueueUrl = connection.deadLetterQueues?.[name];
    if (deadLetterQueueUrl === undefined) {
      throw new PermanentError(
        `the ${name} dead-letter queue is unknown: set ${name.toUpperCase()}_DEAD_LETTER_QUEUE_URL`,
      );
    }
    return { name, workQueueUrl: connection.queues[name], deadLetterQueueUrl };
  });
}

/**
 * Why the message is in the dead-letter queue. Without our `reason`, SQS's redrive policy moved it
 * there after it failed every receive the policy allows (its ApproximateReceiveCount also counts the
 * receives of every `dlq list`, so the policy's number is the one shown).
 */
function reasonOf(letter: DeadLetter, maxReceiveCount: number | undefined): string {
  if (letter.reason !== undefined) return redactSecrets(letter.reason);
  return maxReceiveCount === undefined
    ? "failed every retry"
    : `failed every retry (${plural(maxReceiveCount, "receive")})`;
}

function letterView(pair: QueuePair, letter: DeadLetter, maxReceiveCount: number | undefined) {
  return {
    queue: pair.name,
    messageId: letter.messageId,
    reason: reasonOf(letter, maxReceiveCount),
    source: redactSecrets(letter.source ?? `${pair.name} queue`),
    firstSeen: letter.sentAt?.toISOString().replace(/\.\d{3}Z$/, "Z") ?? null,
    // Redacted whole before it is cut, so no part of a secret shows.
    preview: truncate(redactSecrets(letter.body), PREVIEW_CHARS),
  };
}
