/**
 * Reads of the table only `doctor` needs: a tenant's bindings (one query of the tenant's partition;
 * the DocumentStore reads bindings one at a time) and whether a binding's webhook has received any
 * signed event (the "event seen" items the webhook writes), and the table's schema state.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { DataSourceBinding } from "../../core/model.js";
import { keys } from "../../shared/table-layout.js";
import { documentClient, queryAll, stripKeys } from "./dynamodb-document-client.js";

export interface HealthReads {
  bindingsOf(tenantId: string): Promise<DataSourceBinding[]>;
  /**
   * Datasets still keyed as schema version 1 (their registry entries; docs/upgrades.md), and whether
   * a `migrate` to `version` finished.
   */
  schemaState(version: number): Promise<{ legacyDatasets: string[]; migratedAt?: string }>;
  hasWebhookEvents(tenantId: string, workspaceId: string): Promise<boolean>;
}

export function createHealthReads(client: DynamoDBClient, tableName: string): HealthReads {
  const db = documentClient(client);
  return {
    async bindingsOf(tenantId) {
      const { pk, sk } = keys.binding(tenantId, "");
      const items = await queryAll(db, tableName, {
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues: { ":pk": pk, ":sk": sk },
      });
      return items.map((item) => stripKeys(item) as unknown as DataSourceBinding);
    },
    async schemaState(version) {
      const entries = await queryAll(db, tableName, {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.datasetRegistryPartition },
      });
      const legacyDatasets = entries.map((entry) => String(entry.sk)).filter((sk) => !sk.includes("#"));
      const state = await db.send(new GetCommand({ TableName: tableName, Key: keys.migration(version) }));
      const finishedAt = state.Item?.finishedAt;
      return { legacyDatasets, ...(typeof finishedAt === "string" ? { migratedAt: finishedAt } : {}) };
    },
    async hasWebhookEvents(tenantId, workspaceId) {
      const { pk } = keys.webhookEvent(tenantId, workspaceId, "");
      const page = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          Limit: 1,
        }),
      );
      return (page.Items ?? []).length > 0;
    },
  };
}
