/**
 * The embedding cache (lib/embedding/embedding-cache.ts) in the project's DynamoDB table: one item per
 * (text hash, provider, model, dimension), the vector as a binary attribute of little-endian float32.
 * Read with BatchGetItem (100 keys a request) and written with BatchWriteItem (25 items a request),
 * resending whatever DynamoDB hands back unprocessed.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type DynamoDBClient,
  type KeysAndAttributes,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { mapWithConcurrency } from "../../embedding/batches.js";
import type { CacheSpace, EmbeddingCache } from "../../embedding/embedding-cache.js";
import { bytesToVector, vectorToBytes } from "../../embedding/vector-bytes.js";
import { keys } from "../../shared/table-layout.js";

const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
const IN_FLIGHT = 4;
const MAX_UNPROCESSED_ROUNDS = 8;

type Item = Record<string, AttributeValue>;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function keyItem(hash: string, space: CacheSpace): Item {
  const { pk, sk } = keys.embedding(hash, space);
  return { pk: { S: pk }, sk: { S: sk } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Backoff before resending unprocessed keys or items; gives up after a few rounds. */
async function beforeRound(round: number): Promise<void> {
  if (round === 0) return;
  if (round > MAX_UNPROCESSED_ROUNDS) throw new Error("DynamoDB kept returning unprocessed items");
  await sleep(Math.min(1000, 25 * 2 ** round));
}

export function createDynamoDbEmbeddingCache(client: DynamoDBClient, tableName: string): EmbeddingCache {
  async function getBatch(batch: Item[]): Promise<{ items: Item[]; requests: number }> {
    const items: Item[] = [];
    let pending: KeysAndAttributes | undefined = {
      Keys: batch,
      ProjectionExpression: "#pk, #vector",
      ExpressionAttributeNames: { "#pk": "pk", "#vector": "vector" },
    };
    let requests = 0;
    for (let round = 0; pending?.Keys?.length; round++) {
      await beforeRound(round);
      const result: BatchGetItemCommandOutput = await client.send(
        new BatchGetItemCommand({ RequestItems: { [tableName]: pending } }),
      );
      requests += 1;
      items.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName];
    }
    return { items, requests };
  }

  async function writeBatch(batch: WriteRequest[]): Promise<number> {
    let pending: WriteRequest[] = batch;
    let requests = 0;
    for (let round = 0; pending.length > 0; round++) {
      await beforeRound(round);
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      requests += 1;
      pending = result.UnprocessedItems?.[tableName] ?? [];
    }
    return requests;
  }

  return {
    async getMany(space, hashes) {
      const batches = chunk([...new Set(hashes)], BATCH_GET_LIMIT).map((batch) =>
        batch.map((hash) => keyItem(hash, space)),
      );
      const results = await mapWithConcurrency(batches, IN_FLIGHT, getBatch);
      const found = new Map<string, number[]>();
      for (const item of results.flatMap((result) => result.items)) {
        const pk = item.pk?.S;
        const bytes = item.vector?.B;
        if (pk && bytes) found.set(pk.slice("EMBED#".length), bytesToVector(bytes));
      }
      return { found, requests: results.reduce((sum, result) => sum + result.requests, 0) };
    },

    async putMany(space, entries) {
      const createdAt = new Date().toISOString();
      const requests: WriteRequest[] = entries.map(({ hash, vector }) => ({
        PutRequest: {
          Item: {
            ...keyItem(hash, space),
            vector: { B: vectorToBytes(vector) },
            createdAt: { S: createdAt },
          },
        },
      }));
      // A batch may not name the same key twice.
      const unique = [...new Map(requests.map((r) => [r.PutRequest?.Item?.pk?.S, r])).values()];
      const counts = await mapWithConcurrency(chunk(unique, BATCH_WRITE_LIMIT), IN_FLIGHT, writeBatch);
      return counts.reduce((sum, count) => sum + count, 0);
    },
  };
}
