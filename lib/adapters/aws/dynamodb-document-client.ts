/**
 * The DynamoDB document client as every adapter of the table builds it, and what they share: one
 * client configuration (undefined fields dropped, class instances refused), the paged query, and
 * items without their key attributes.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";

export type Item = Record<string, unknown>;

/** Keys and the schema version: storage matters the domain never sees. */
const KEY_ATTRIBUTES = ["pk", "sk", "gsi1pk", "gsi1sk", "schemaVersion"] as const;

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Every item a query matches, across all its pages. */
export async function queryAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  input: Omit<QueryCommandInput, "TableName">,
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** How many items a query matches (`Select: COUNT`), across all its pages. */
export async function countAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  input: Omit<QueryCommandInput, "TableName" | "Select">,
): Promise<number> {
  let total = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({ ...input, TableName: tableName, Select: "COUNT", ExclusiveStartKey: start }),
    );
    total += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return total;
}

/** The item as the domain sees it: without the table's key attributes. */
export function stripKeys(item: Item): Item {
  const copy = { ...item };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy;
}
