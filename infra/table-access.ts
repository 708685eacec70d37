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

export function grantTableData(table: Table, indexNames: readonly string[], fn: IFunction): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: TABLE_DATA_ACTIONS,
      resources: [table.tableArn, ...indexNames.map((name) => `${table.tableArn}/index/${name}`)],
    }),
  );
}
