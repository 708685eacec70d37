/**
 * The body of `POST /v1/query` (docs/retrieval-api.md), validated with zod: a body that fails gets
 * 400 with the first problems on one line. The same schema is the request body of the OpenAPI
 * document (docs/api/openapi.json; a test keeps them equal).
 */
import * as z from "zod/mini";
import "../core/zod-english.js";
import { entityIdSchema } from "../core/messages.js";
import { notionIdSchema } from "../core/notion-id.js";

export const MAX_TOP_K = 50;
export const DEFAULT_TOP_K = 5;
export const MAX_DATASETS = 10;
/** Longer questions are not questions; the embedders would cut them anyway. */
export const MAX_QUERY_CHARS = 4000;
/** Ids a filter may name in one list. */
export const MAX_FILTER_IDS = 100;
export const MAX_PROPERTY_FILTERS = 10;
/** What a property filter may compare with: the value types of the vectors' `prop:` metadata. */
const scalar = z.union([z.string().check(z.maxLength(256)), z.number(), z.boolean()]);
const scalarList = z.array(scalar).check(z.minLength(1), z.maxLength(MAX_FILTER_IDS));

/** One property's condition: a value (equality) or one or more operators. */
export const propertyCondition = z.union([
  scalar,
  z
    .strictObject({
      $eq: z.optional(scalar),
      $ne: z.optional(scalar),
      $in: z.optional(scalarList),
      $nin: z.optional(scalarList),
      $gt: z.optional(z.number()),
      $gte: z.optional(z.number()),
      $lt: z.optional(z.number()),
      $lte: z.optional(z.number()),
      $exists: z.optional(z.boolean()),
    })
    .check(z.refine((condition) => Object.keys(condition).length > 0, "name at least one operator")),
]);

const idList = <T extends z.core.$ZodType>(item: T) =>
  z.array(item).check(z.minLength(1), z.maxLength(MAX_FILTER_IDS));
const dateTime = z.iso.datetime({ offset: true });
const propertyName = z.string().check(
  z.minLength(1),
  z.maxLength(100),
  // A key an object cannot hold as its own: it would vanish from the filter, widening it.
  z.refine((name) => name !== "__proto__", "this property name cannot be filtered on"),
);

export const queryFilterSchema = z.strictObject({
  documentIds: z.optional(idList(entityIdSchema)),
  pageIds: z.optional(idList(notionIdSchema)),
  databaseIds: z.optional(idList(notionIdSchema)),
  /** Content last edited at or after this time. */
  lastEditedAfter: z.optional(dateTime),
  /** Content last edited before this time. */
  lastEditedBefore: z.optional(dateTime),
  /** Database row properties by name (see docs/retrieval-api.md for the types kept). */
  properties: z.optional(
    z
      .record(propertyName, propertyCondition)
      .check(
        z.refine(
          (properties) => Object.keys(properties).length <= MAX_PROPERTY_FILTERS,
          `at most ${MAX_PROPERTY_FILTERS} properties`,
        ),
      ),
  ),
});

export const queryRequestSchema = z.strictObject({
  query: z.string().check(
    z.maxLength(MAX_QUERY_CHARS),
    z.refine((text) => text.trim() !== "", "must not be empty"),
  ),
  /** One dataset id, or several: their matches are merged by score. */
  datasetId: z.union([
    entityIdSchema,
    z.array(entityIdSchema).check(z.minLength(1), z.maxLength(MAX_DATASETS)),
  ]),
  topK: z.optional(z.int().check(z.gte(1), z.lte(MAX_TOP_K))),
  filter: z.optional(queryFilterSchema),
  /** Hierarchical datasets: each match's parent chunk as `parentContent`. */
  includeParent: z.optional(z.boolean()),
});

export type QueryRequest = z.infer<typeof queryRequestSchema>;
export type QueryFilter = z.infer<typeof queryFilterSchema>;
export type PropertyCondition = z.infer<typeof propertyCondition>;

export type ParsedQuery = { ok: true; request: QueryRequest } | { ok: false; reason: string };

/** Reads a request body (already JSON-parsed); the reason names at most three problems. */
export function parseQueryRequest(body: unknown): ParsedQuery {
  const parsed = queryRequestSchema.safeParse(body);
  if (parsed.success) {
    const { lastEditedAfter, lastEditedBefore } = parsed.data.filter ?? {};
    if (lastEditedAfter && lastEditedBefore && Date.parse(lastEditedAfter) >= Date.parse(lastEditedBefore))
      return { ok: false, reason: "filter.lastEditedAfter must be before filter.lastEditedBefore" };
    return { ok: true, request: parsed.data };
  }
  const problems = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "body"}: ${issue.message}`);
  return { ok: false, reason: problems.join("; ") };
}

/** The request's dataset ids, once each, in the order given. */
export function requestedDatasets(request: QueryRequest): string[] {
  return [...new Set(typeof request.datasetId === "string" ? [request.datasetId] : request.datasetId)];
}
