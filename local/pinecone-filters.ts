/** Pinecone's metadata filter language ($eq, $in, $and, ...), evaluated as Pinecone does, for the stand-in. */
import { asObject, badRequest, type Metadata, type MetadataValue } from "./pinecone-state.js";

export const FIELD_OPERATORS = new Set([
  "$eq",
  "$ne",
  "$gt",
  "$gte",
  "$lt",
  "$lte",
  "$in",
  "$nin",
  "$exists",
]);

export function scalarEquals(stored: MetadataValue | undefined, expected: unknown): boolean {
  // A list matches when any of its items matches, as in Pinecone.
  if (Array.isArray(stored)) return stored.some((item) => item === expected);
  return stored === expected;
}

export function compareNumbers(stored: MetadataValue | undefined, operand: unknown, op: string): boolean {
  if (typeof operand !== "number") throw badRequest(`${op} requires a number operand`);
  if (typeof stored !== "number") return false;
  switch (op) {
    case "$gt":
      return stored > operand;
    case "$gte":
      return stored >= operand;
    case "$lt":
      return stored < operand;
    default:
      return stored <= operand;
  }
}

export function operandList(operand: unknown, op: string): unknown[] {
  if (!Array.isArray(operand)) throw badRequest(`${op} requires an array operand`);
  return operand;
}

export function matchesOperator(stored: MetadataValue | undefined, op: string, operand: unknown): boolean {
  switch (op) {
    case "$eq":
      return scalarEquals(stored, operand);
    case "$ne":
      return !scalarEquals(stored, operand);
    case "$in":
      return operandList(operand, op).some((item) => scalarEquals(stored, item));
    case "$nin":
      return !operandList(operand, op).some((item) => scalarEquals(stored, item));
    case "$exists":
      if (typeof operand !== "boolean") throw badRequest("$exists requires a boolean operand");
      return (stored !== undefined) === operand;
    default:
      return compareNumbers(stored, operand, op);
  }
}

export function matchesField(stored: MetadataValue | undefined, condition: unknown): boolean {
  if (typeof condition !== "object" || condition === null || Array.isArray(condition)) {
    return scalarEquals(stored, condition); // a plain value is an implicit $eq
  }
  return Object.entries(condition).every(([op, operand]) => {
    if (!FIELD_OPERATORS.has(op)) throw badRequest(`Unsupported filter operator: ${op}`);
    return matchesOperator(stored, op, operand);
  });
}

export function subFilters(operand: unknown, op: string): Record<string, unknown>[] {
  return operandList(operand, op).map((item) => asObject(item, `Each ${op} clause`));
}

export function matchesFilter(metadata: Metadata | undefined, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === "$and") return subFilters(condition, key).every((sub) => matchesFilter(metadata, sub));
    if (key === "$or") return subFilters(condition, key).some((sub) => matchesFilter(metadata, sub));
    if (key.startsWith("$")) throw badRequest(`Unsupported top-level filter operator: ${key}`);
    return matchesField(fieldOf(metadata, key), condition);
  });
}

/** A field the vector has: `constructor` or `__proto__` of a vector without one is absent, not Object's. */
function fieldOf(metadata: Metadata | undefined, key: string): MetadataValue | undefined {
  return metadata !== undefined && Object.hasOwn(metadata, key) ? metadata[key] : undefined;
}

export function parseFilter(raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const filter = asObject(raw, "filter");
  if (Object.keys(filter).length === 0) throw badRequest("filter must not be empty");
  matchesFilter(undefined, filter); // validates operators before any vector is touched
  return filter;
}
