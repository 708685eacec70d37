/**
 * The rate budget in DynamoDB: one small item per key holds its theoretical arrival time (`tat`,
 * epoch ms; lib/rate-limit/gcra.ts). Booking is one conditional update, whichever case holds:
 * - idle (tat ≤ now): tat := now + n·T;
 * - busy (now < tat ≤ the wait horizon): tat := tat + n·T, the new value returned.
 * The last tat seen picks which update to try first, so a busy budget costs one write per booking
 * and a wrong guess two. Past the horizon, one read says when the first free slot is.
 * Every instance of every function on one binding books from the same item: together they stay
 * within the binding's rate, and a 429's push-back reaches them all.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { burstToleranceMs, firstFreeSlot, slotIntervalMs } from "../../rate-limit/gcra.js";
import type { RateBudget } from "../../rate-limit/rate-budget.js";
import { keys } from "../../shared/table-layout.js";
import { documentClient } from "./dynamodb-document-client.js";

export interface DynamoDbRateBudgetOptions {
  /** Counts the DynamoDB requests made (benchmarks: DynamoDB requests per Notion request). */
  onRequest?: () => void;
}

export function createDynamoDbRateBudget(
  client: DynamoDBClient,
  tableName: string,
  options: DynamoDbRateBudgetOptions = {},
): RateBudget {
  // Document clients made from one client share its configuration: the last `from` sets the
  // marshalling of all of them, so every adapter passes the same options.
  const db = documentClient(client);
  const lastSeen = new Map<string, number>();
  const counted = () => options.onRequest?.();

  /** The idle case; false when the budget is booked past `now`. */
  async function bookIdle(key: string, now: number, bookedMs: number): Promise<boolean> {
    try {
      counted();
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.rateBudget(key),
          UpdateExpression: "SET tat = :tat",
          ConditionExpression: "attribute_not_exists(tat) OR tat <= :now",
          ExpressionAttributeValues: { ":tat": now + bookedMs, ":now": now },
        }),
      );
      lastSeen.set(key, now + bookedMs);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The busy case: the new tat, or undefined when the budget is idle or booked past the horizon. */
  async function bookBusy(key: string, now: number, horizon: number, bookedMs: number) {
    try {
      counted();
      const result = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.rateBudget(key),
          UpdateExpression: "SET tat = tat + :booked",
          ConditionExpression: "tat > :now AND tat <= :horizon",
          ExpressionAttributeValues: { ":booked": bookedMs, ":now": now, ":horizon": horizon },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      const tat = Number(result.Attributes?.tat);
      lastSeen.set(key, tat);
      return tat;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async function readTat(key: string): Promise<number | undefined> {
    counted();
    const result = await db.send(
      new GetCommand({ TableName: tableName, Key: keys.rateBudget(key), ConsistentRead: true }),
    );
    const tat = result.Item?.tat as number | undefined;
    if (tat !== undefined) lastSeen.set(key, tat);
    return tat;
  }

  return {
    async reserve(key, spec, { count, now, maxWaitMs }) {
      const interval = slotIntervalMs(spec);
      const bookedMs = count * interval;
      // The first slot is tat − τ: it is within the wait while tat ≤ now + τ + maxWait.
      const horizon = now + burstToleranceMs(spec) + maxWaitMs;
      const slotsFrom = (start: number) =>
        Array.from({ length: count }, (_, i) => Math.max(now, start + i * interval - burstToleranceMs(spec)));
      const guessBusy = (lastSeen.get(key) ?? 0) > now;
      for (const attempt of guessBusy ? (["busy", "idle"] as const) : (["idle", "busy"] as const)) {
        if (attempt === "idle") {
          if (await bookIdle(key, now, bookedMs)) return { slots: slotsFrom(now) };
        } else {
          const tat = await bookBusy(key, now, horizon, bookedMs);
          if (tat !== undefined) return { slots: slotsFrom(tat - bookedMs) };
        }
      }
      // Neither idle nor within the horizon: booked too far ahead (or it changed under us).
      const tat = await readTat(key);
      const first = firstFreeSlot(tat, now, spec);
      return first - now > maxWaitMs ? { refusedUntil: first } : { refusedUntil: now + interval };
    },

    async pushBack(key, until, spec) {
      const pushed = until + burstToleranceMs(spec);
      try {
        counted();
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.rateBudget(key),
            UpdateExpression: "SET tat = :pushed",
            ConditionExpression: "attribute_not_exists(tat) OR tat < :pushed",
            ExpressionAttributeValues: { ":pushed": pushed },
          }),
        );
        lastSeen.set(key, pushed);
      } catch (error) {
        // Already pushed further by someone else.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
