/** Query API keys in the table (lib/shared/table-layout.ts): one item each, listed through gsi1. */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ApiKeyRecord, ApiKeyStore } from "../../core/ports.js";
import { ConflictError } from "../../shared/errors.js";
import { GSI1, keys } from "../../shared/table-layout.js";
import { documentClient, queryAll, stripKeys } from "./dynamodb-document-client.js";

export function createDynamoDbApiKeyStore(client: DynamoDBClient, tableName: string): ApiKeyStore {
  const db = documentClient(client);
  return {
    async get(keyId) {
      const result = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.apiKey(keyId), ConsistentRead: true }),
      );
      return result.Item ? (stripKeys(result.Item) as unknown as ApiKeyRecord) : undefined;
    },

    async create(record) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...record,
              ...keys.apiKey(record.keyId),
              gsi1pk: keys.apiKeys,
              gsi1sk: keys.apiKeySortKey(record.tenantId, record.keyId),
            },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException)
          throw new ConflictError(`API key ${record.keyId} exists`);
        throw error;
      }
    },

    async list(tenantId) {
      const items = await queryAll(db, tableName, {
        IndexName: GSI1,
        KeyConditionExpression:
          tenantId === undefined ? "gsi1pk = :pk" : "gsi1pk = :pk AND begins_with(gsi1sk, :tenant)",
        ExpressionAttributeValues: {
          ":pk": keys.apiKeys,
          ...(tenantId === undefined ? {} : { ":tenant": keys.apiKeySortKey(tenantId) }),
        },
      });
      return items.map((item) => stripKeys(item) as unknown as ApiKeyRecord);
    },

    async revoke(keyId, at) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.apiKey(keyId),
            // The first revocation's time stays.
            UpdateExpression: "SET revokedAt = if_not_exists(revokedAt, :at)",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":at": at },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}
