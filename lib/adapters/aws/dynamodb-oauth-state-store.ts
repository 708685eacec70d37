/**
 * The OAuth flow's issued states in the table (`OAUTH#{nonce}` / `STATE`, lib/shared/table-layout.ts),
 * with `expiresAt` for DynamoDB's TTL. The callback consumes one with a conditional delete, so a
 * state works once however many times it is presented.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { OAuthStateStore } from "../../oauth/ports.js";
import { keys } from "../../shared/table-layout.js";
import { documentClient } from "./dynamodb-document-client.js";

export function createDynamoDbOAuthStateStore(client: DynamoDBClient, tableName: string): OAuthStateStore {
  const db = documentClient(client);
  return {
    async create(state, createdAt) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.oauthState(state.nonce),
            tenantId: state.tenantId,
            expiresAt: state.expiresAt,
            createdAt,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    },

    async consume(nonce) {
      try {
        const result = await db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: keys.oauthState(nonce),
            ConditionExpression: "attribute_exists(pk)",
            ReturnValues: "ALL_OLD",
          }),
        );
        const item = result.Attributes;
        if (!item || typeof item.tenantId !== "string") return undefined;
        return { tenantId: item.tenantId, expiresAt: Number(item.expiresAt) };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },
  };
}
