/**
 * The usage ledger in the table (lib/shared/table-layout.ts): one item per tenant, day and subject,
 * whose counters every run adds to with one UpdateItem (ADD is atomic, so concurrent runs never
 * lose each other's figures). A month is one query of the tenant's partition by day prefix.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { UsageCounts, UsageEntry, UsageLedger } from "../../core/ports.js";
import { keys } from "../../shared/table-layout.js";
import { documentClient, type Item, queryAll } from "./dynamodb-document-client.js";

const COUNTERS: (keyof UsageCounts)[] = [
  "notionRequests",
  "tokens",
  "embeddingRequests",
  "pineconeReadRequests",
  "pineconeWriteRequests",
  "cacheRequests",
  "runs",
  "estimatedUsd",
];

export function createDynamoDbUsageLedger(client: DynamoDBClient, tableName: string): UsageLedger {
  const db = documentClient(client);
  return {
    async add({ tenantId, day, subject, counts }) {
      const names: Record<string, string> = { "#subject": "subject" };
      const values: Record<string, unknown> = { ":subject": subject };
      const adds: string[] = [];
      COUNTERS.forEach((counter, at) => {
        names[`#c${at}`] = counter;
        values[`:c${at}`] = counts[counter];
        adds.push(`#c${at} :c${at}`);
      });
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.usageEntry(tenantId, day, subjectKey(subject)),
          UpdateExpression: `SET #subject = :subject ADD ${adds.join(", ")}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    },

    async list(tenantId, dayPrefix) {
      const items = await queryAll(db, tableName, {
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :day)",
        ExpressionAttributeValues: { ":pk": keys.usage(tenantId), ":day": dayPrefix },
      });
      return items.map((item) => entryOf(tenantId, item));
    },
  };
}

function subjectKey(subject: UsageEntry["subject"]): string {
  return subject.kind === "dataset" ? `dataset#${subject.datasetId}` : `workspace#${subject.workspaceId}`;
}

function entryOf(tenantId: string, item: Item): UsageEntry {
  const counts = Object.fromEntries(COUNTERS.map((counter) => [counter, Number(item[counter] ?? 0)]));
  return {
    tenantId,
    day: String(item.sk).slice(0, 10),
    subject: item.subject as UsageEntry["subject"],
    counts: counts as unknown as UsageCounts,
  };
}
