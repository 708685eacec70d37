/**
 * SQS fair queues for the SQS stand-in. A standard queue whose messages carry a `MessageGroupId` is a
 * fair queue: when one tenant (group) holds more of the messages in flight, SQS delivers the other
 * tenants' messages first, so one tenant's backlog does not hold back the rest ("Amazon SQS fair
 * queues" in the SQS Developer Guide). fauxqs keeps a group id only on FIFO queues, so this module
 * carries it on standard queues and orders each receive.
 *
 * The model is the limit case of AWS's: AWS marks a tenant noisy past about 10 % of the in-flight
 * messages or of the recent processing time, then serves quiet tenants first and, among noisy ones,
 * the one with the fewest messages in flight. Here every receive takes, message by message, from the
 * group with the fewest in flight (counting those just taken), oldest first; a message without a
 * group is a tenant of its own, as in SQS.
 */

/** Where a send's group id rides from the request to the stored message: invisible to fauxqs's checksums. */
const GROUP = Symbol("messageGroupId");

interface StoredMessage {
  messageGroupId?: string;
  messageAttributes: Record<string | symbol, unknown>;
}

/** The parts of fauxqs's queue that fairness reads and reorders. */
export interface FauxqsQueue {
  messages: StoredMessage[];
  inflightMessages: Map<string, { message: StoredMessage }>;
  isFifo(): boolean;
  processTimers(): void;
  enqueue(message: StoredMessage): void;
  dequeue(maxCount: number, ...rest: unknown[]): unknown[];
}

interface SendEntry {
  MessageGroupId?: unknown;
  MessageAttributes?: Record<string | symbol, unknown>;
}

/**
 * Called on a SendMessage or SendMessageBatch request before fauxqs handles it: a group id on a
 * standard queue is kept with the message's attributes object, which fauxqs stores as it is.
 */
export function carryGroupIds(action: string, body: SendEntry & { Entries?: unknown }): void {
  const entries = action === "SendMessageBatch" && Array.isArray(body.Entries) ? body.Entries : [body];
  for (const entry of entries as SendEntry[]) {
    if (typeof entry.MessageGroupId !== "string") continue;
    entry.MessageAttributes ??= {};
    Object.defineProperty(entry.MessageAttributes, GROUP, { value: entry.MessageGroupId, enumerable: false });
  }
}

/** Makes a standard queue fair: its messages keep their group, and a receive takes the fair order. */
export function makeFair(queue: FauxqsQueue): void {
  if (queue.isFifo()) return;
  const enqueue = queue.enqueue.bind(queue);
  const dequeue = queue.dequeue.bind(queue);
  queue.enqueue = (message) => {
    const group = message.messageAttributes[GROUP];
    if (typeof group === "string") message.messageGroupId ??= group;
    enqueue(message);
  };
  queue.dequeue = (maxCount, ...rest) => {
    queue.processTimers();
    queue.messages = fairOrder(queue.messages, queue.inflightMessages, Math.min(maxCount, 10));
    return dequeue(maxCount, ...rest);
  };
}

/**
 * The visible messages with the next `count` to deliver moved to the front, in delivery order; the
 * rest keep their order.
 */
export function fairOrder(
  visible: StoredMessage[],
  inFlight: Map<string, { message: StoredMessage }>,
  count: number,
): StoredMessage[] {
  // With no groups, the fair order is the arrival order.
  if (visible.every((message) => message.messageGroupId === undefined)) return visible;
  const held = new Map<string, number>();
  for (const { message } of inFlight.values()) {
    if (message.messageGroupId !== undefined) {
      held.set(message.messageGroupId, (held.get(message.messageGroupId) ?? 0) + 1);
    }
  }
  // Each group's waiting messages, oldest first; a message without a group is its own group.
  const waiting = new Map<string | StoredMessage, StoredMessage[]>();
  for (const message of visible) {
    const key = message.messageGroupId ?? message;
    const list = waiting.get(key);
    if (list === undefined) waiting.set(key, [message]);
    else list.push(message);
  }
  const taken = new Set<StoredMessage>();
  const order: StoredMessage[] = [];
  while (order.length < count && waiting.size > 0) {
    let best: { key: string | StoredMessage; load: number } | undefined;
    // Map order is first-arrival order, so a tie goes to the group waiting longest.
    for (const key of waiting.keys()) {
      const load = typeof key === "string" ? (held.get(key) ?? 0) : 0;
      if (best === undefined || load < best.load) best = { key, load };
    }
    if (best === undefined) break;
    const list = waiting.get(best.key) ?? [];
    const message = list.shift();
    if (list.length === 0) waiting.delete(best.key);
    if (message === undefined) continue;
    order.push(message);
    taken.add(message);
    if (typeof best.key === "string") held.set(best.key, best.load + 1);
  }
  return [...order, ...visible.filter((message) => !taken.has(message))];
}
