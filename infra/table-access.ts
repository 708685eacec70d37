/**
 * Item access to the table and its own secondary indexes, named one by one. `grantReadWriteData`
 * would grant `<table>/index/*` (a wildcard cdk-nag rightly flags) and stream reads nobody uses.
 */

import type { Table } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";

/** What the store and the embedding cache call: items, queries and batches; no table management. */
export const TABLE_DATA_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:ConditionCheckItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:DescribeTable",
];

/**
 * What the public webhook function calls (bindings, page index, debounce markers, events seen):
 * it reads and writes single items and queries one page's index entries. It can neither scan nor
 * delete, so a flaw in the one function the internet reaches cannot list or wipe the table.
 */
export const WEBHOOK_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:Query",
];

/**
 * What the public query function calls: single and batched reads (datasets, documents, API keys),
 * queries of one document's segments (parents), and one update (each key's rate budget). It can
 * neither write content, scan nor delete.
 */
export const QUERY_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:UpdateItem",
];

/**
 * What the public OAuth function calls: single items only — a state's put and conditional delete,
 * a binding's read and put, an API key's read. No query, no scan, no batch; and only items whose
 * partition key starts with one of OAUTH_LEADING_KEYS.
 */
export const OAUTH_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"];
/** The partitions the OAuth function reaches: states, tenants (bindings), API keys. */
export const OAUTH_LEADING_KEYS = ["OAUTH#*", "TENANT#*", "APIKEY#*"];

/**
 * Queries of one secondary index, and nothing else on it: the webhook counts a tenant's documents
 * (its documents quota, lib/tenants/quotas.ts) in gsi1, where a dataset's documents are listed.
 */
export function grantIndexQuery(table: Table, indexName: string, fn: IFunction): void {
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ["dynamodb:Query"], resources: [`${table.tableArn}/index/${indexName}`] }),
  );
}

export function grantTableData(
  table: Table,
  indexNames: readonly string[],
  fn: IFunction,
  actions: readonly string[] = TABLE_DATA_ACTIONS,
  /** Only items whose partition key matches one of these (IAM `dynamodb:LeadingKeys`). */
  leadingKeys?: readonly string[],
): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: [...actions],
      resources: [table.tableArn, ...indexNames.map((name) => `${table.tableArn}/index/${name}`)],
      ...(leadingKeys
        ? { conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [...leadingKeys] } } }
        : {}),
    }),
  );
}
