/**
 * The webhook's state in the table (WebhookStore): the page index, the per-document debounce marker and
 * the events seen. Conditional writes only, as everywhere in this table.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Document } from "../../core/model.js";
import type { PageIndexEntry, WebhookStore } from "../../core/ports.js";
import { keys } from "../../shared/table-layout.js";
import { documentClient, queryAll } from "./dynamodb-document-client.js";

/** The page-index entries of documents (lib/shared/table-layout.ts): one small item each, written with plain puts. */
export async function putPageIndexEntries(
  db: DynamoDBDocumentClient,
  tableName: string,
  documents: Document[],
): Promise<number> {
  for (const document of documents) {
    const { workspaceId, pageId } = document.dataSourceInfo;
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keys.pageIndexEntry(document.tenantId, workspaceId, pageId, document.documentId),
          tenantId: document.tenantId,
          workspaceId,
          pageId,
          datasetId: document.datasetId,
          documentId: document.documentId,
        },
      }),
    );
  }
  return documents.length;
}

/** How long an event id is remembered: far longer than any replay window, then DynamoDB's TTL drops it. */
const EVENT_MEMORY_SECONDS = 7 * 24 * 3600;

/**
 * The webhook's state in the same table (WebhookStore): the page index, the per-document debounce
 * marker and the events seen. Conditional writes only, as everywhere in this store.
 */
export function createDynamoDbWebhookStore(client: DynamoDBClient, tableName: string): WebhookStore {
  const db = documentClient(client);
  return {
    async findDocumentsByPage(tenantId, workspaceId, pageId) {
      const items = await queryAll(db, tableName, {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.pageIndex(tenantId, workspaceId, pageId) },
      });
      return items.map(
        (item): PageIndexEntry => ({
          tenantId: String(item.tenantId),
          workspaceId: String(item.workspaceId),
          pageId: String(item.pageId),
          datasetId: String(item.datasetId),
          documentId: String(item.documentId),
        }),
      );
    },

    indexDocumentPages: (documents) => putPageIndexEntries(db, tableName, documents),

    async claimPendingSync(documentId, now, until) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.pendingSync(documentId), pendingUntil: until },
            ConditionExpression: "attribute_not_exists(pk) OR pendingUntil <= :now",
            ExpressionAttributeValues: { ":now": now },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async recordEventAttempt(binding, eventId, attempt, seenAt) {
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.webhookEvent(binding.tenantId, binding.workspaceId, eventId),
            UpdateExpression: "SET lastAttempt = :attempt, seenAt = :seenAt, expiresAt = :expiresAt",
            // An attempt number at or below one already seen is the same delivery sent again.
            ConditionExpression: "attribute_not_exists(pk) OR lastAttempt < :attempt",
            ExpressionAttributeValues: {
              ":attempt": attempt,
              ":seenAt": seenAt,
              ":expiresAt": Math.floor(Date.parse(seenAt) / 1000) + EVENT_MEMORY_SECONDS,
            },
            ReturnValues: "ALL_OLD",
          }),
        );
        return result.Attributes?.handled === true ? "duplicate" : "new";
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return "replay";
        throw error;
      }
    },

    async markEventHandled(binding, eventId) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.webhookEvent(binding.tenantId, binding.workspaceId, eventId),
          UpdateExpression: "SET handled = :handled",
          ExpressionAttributeValues: { ":handled": true },
        }),
      );
    },
  };
}
