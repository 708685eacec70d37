/**
 * A query's filter in Pinecone's metadata filter language. The tenant and dataset conditions are
 * always there, whatever the caller asked: a key can never reach past them (each dataset also has a
 * namespace of its own). Property conditions name the `prop:<name>` metadata of database rows.
 */
import type { PropertyCondition, QueryFilter } from "./query-request.js";

export type VectorFilter = Record<string, unknown>;

/** The metadata key of a row property (lib/indexing/vector-metadata.ts writes them). */
export function propertyKey(name: string): string {
  return `prop:${name}`;
}

export function vectorFilter(
  scope: { tenantId: string; datasetId: string },
  filter: QueryFilter = {},
): VectorFilter {
  const conditions: VectorFilter[] = [
    { tenantId: { $eq: scope.tenantId } },
    { datasetId: { $eq: scope.datasetId } },
  ];
  if (filter.documentIds) conditions.push({ documentId: { $in: filter.documentIds } });
  if (filter.pageIds) conditions.push({ pageId: { $in: filter.pageIds } });
  if (filter.databaseIds) conditions.push({ databaseId: { $in: filter.databaseIds } });
  if (filter.lastEditedAfter)
    conditions.push({ lastEditedTime: { $gte: Date.parse(filter.lastEditedAfter) } });
  if (filter.lastEditedBefore)
    conditions.push({ lastEditedTime: { $lt: Date.parse(filter.lastEditedBefore) } });
  for (const [name, condition] of Object.entries(filter.properties ?? {})) {
    conditions.push({ [propertyKey(name)]: propertyOperators(condition) });
  }
  return { $and: conditions };
}

function propertyOperators(condition: PropertyCondition): Record<string, unknown> {
  if (typeof condition !== "object") return { $eq: condition };
  return Object.fromEntries(Object.entries(condition).filter(([, operand]) => operand !== undefined));
}
