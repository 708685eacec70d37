/**
 * BatchWriteItem over any number of requests: 25 at a time, and what DynamoDB hands back unprocessed
 * under load is sent again with a short back-off.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_LIMIT = 25;

type Item = Record<string, unknown>;

export async function batchWriteAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  requests: Item[],
): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
    let pending: Item[] = requests.slice(i, i + BATCH_WRITE_LIMIT);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error("DynamoDB kept returning unprocessed items");
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (result.UnprocessedItems?.[tableName] ?? []) as Item[];
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
