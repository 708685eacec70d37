/**
 * Checkpoints of runs that span invocations, in DynamoDB (docs/decisions/0009-checkpoints-in-dynamodb.md).
 * A checkpoint is JSON, gzipped, cut into parts of at most 300 KB (an item holds 400 KB): the parts
 * are written first (under the save's own random id), then the header that names them, with a condition that fences runs: a save
 * from an older generation, or a save of the same generation that is not later than the stored one,
 * fails, and its parts are removed again. The parts of the save it replaced are removed after.
 * Items expire after 7 days (TTL, housekeeping only: a completed run deletes its checkpoint).
 */
import { randomUUID } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Checkpoint, CheckpointStore } from "../../core/ports.js";
import { ConflictError } from "../../shared/errors.js";
import { keys } from "../../shared/table-layout.js";
import { batchWriteAll } from "./dynamodb-batch-write.js";
import { documentClient } from "./dynamodb-document-client.js";

const PART_BYTES = 300_000;
const EXPIRES_AFTER_SECONDS = 7 * 24 * 3600;

type Header = Omit<Checkpoint<unknown>, "data"> & { parts: number; saveId: string };

export function createDynamoDbCheckpointStore(client: DynamoDBClient, tableName: string): CheckpointStore {
  const db = documentClient(client);

  async function partKeys(key: string, saveId?: string) {
    const { pk } = keys.checkpoint(key);
    const found: { pk: string; sk: string }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": pk, ":prefix": keys.checkpointPartPrefix(saveId) },
          ProjectionExpression: "pk, sk",
          ExclusiveStartKey: start,
        }),
      );
      found.push(...((page.Items ?? []) as { pk: string; sk: string }[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

  const deleteKeys = (found: { pk: string; sk: string }[]) =>
    batchWriteAll(
      db,
      tableName,
      found.map((key) => ({ DeleteRequest: { Key: key } })),
    );

  return {
    async load<T>(key: string) {
      const { Item } = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.checkpoint(key), ConsistentRead: true }),
      );
      if (Item === undefined) return undefined;
      const header = Item as Header & Record<string, unknown>;
      const parts: Uint8Array[] = [];
      for (let part = 0; part < header.parts; part++) {
        const { Item: data } = await db.send(
          new GetCommand({
            TableName: tableName,
            Key: keys.checkpointPart(key, header.saveId, part),
            ConsistentRead: true,
          }),
        );
        // A save that lost its parts (removed by a newer one meanwhile): as good as no checkpoint.
        if (data?.data === undefined) return undefined;
        parts.push(data.data as Uint8Array);
      }
      const data = JSON.parse(gunzipSync(Buffer.concat(parts)).toString("utf8")) as T;
      return { generation: header.generation, sequence: header.sequence, data };
    },

    async save(key, checkpoint) {
      const { data: payload, ...meta } = checkpoint;
      const saveId = randomUUID();
      const packed = gzipSync(JSON.stringify(payload));
      const expiresAt = Math.floor(Date.now() / 1000) + EXPIRES_AFTER_SECONDS;
      const parts: Buffer[] = [];
      for (let offset = 0; offset < packed.length; offset += PART_BYTES) {
        parts.push(packed.subarray(offset, offset + PART_BYTES));
      }
      await batchWriteAll(
        db,
        tableName,
        parts.map((data, part) => ({
          PutRequest: {
            Item: { ...keys.checkpointPart(key, saveId, part), data, expiresAt },
          },
        })),
      );
      let replaced: Header | undefined;
      try {
        const result = await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.checkpoint(key), ...meta, saveId, parts: parts.length, expiresAt },
            ConditionExpression:
              "attribute_not_exists(pk) OR generation < :generation OR (generation = :generation AND #sequence < :sequence)",
            ExpressionAttributeNames: { "#sequence": "sequence" },
            ExpressionAttributeValues: { ":generation": meta.generation, ":sequence": meta.sequence },
            ReturnValues: "ALL_OLD",
          }),
        );
        replaced = result.Attributes as Header | undefined;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        await deleteKeys(parts.map((_, part) => keys.checkpointPart(key, saveId, part)));
        throw new ConflictError(
          `checkpoint ${key} was saved by a newer run (generation ${meta.generation}, save ${meta.sequence})`,
        );
      }
      if (replaced?.saveId !== undefined) await deleteKeys(await partKeys(key, replaced.saveId));
    },

    async delete(key) {
      await db.send(new DeleteCommand({ TableName: tableName, Key: keys.checkpoint(key) }));
      await deleteKeys(await partKeys(key));
    },
  };
}
