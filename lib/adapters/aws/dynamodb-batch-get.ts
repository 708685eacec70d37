/**
 * BatchGetItem over any number of keys: 100 at a time, consistent reads, and the keys DynamoDB
 * leaves unprocessed (throttling) asked again after a short back-off.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { RetryableError } from "../../shared/errors.js";
import type { Item } from "./dynamodb-document-client.js";

/** BatchGetItem reads at most 100 keys a request. */
const BATCH_GET_LIMIT = 100;

export async function batchGetAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: Item[],
): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    let requested = keys.slice(start, start + BATCH_GET_LIMIT);
    for (let attempt = 0; requested.length > 0; attempt += 1) {
      if (attempt > 8) throw new RetryableError("DynamoDB kept keys of a batch read unprocessed");
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result = await db.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: requested, ConsistentRead: true } } }),
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      requested = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Item[];
    }
  }
  return found;
}
