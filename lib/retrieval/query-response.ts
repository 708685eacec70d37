/**
 * What `POST /v1/query` answers, as zod schemas: the types the handler and the client use, and the
 * response schemas of the OpenAPI document (docs/api/openapi.json is generated from them).
 */
import * as z from "zod/mini";
import "../core/zod-english.js";
import { API_ERROR_STATUS, type ApiErrorCode } from "./api-error.js";

export const queryMatchSchema = z.object({
  /** The vector's id: `{documentId}#{generation}#{position}`. */
  id: z.string(),
  score: z.number(),
  /** The chunk's text (the copy in the vector's metadata: cut at 32 KB, marked with "…"). */
  content: z.string(),
  datasetId: z.string(),
  documentId: z.string(),
  /** The Notion page the chunk comes from: a database row's own page for rows. */
  pageId: z.string(),
  /** For rows of a database document: the database. */
  databaseId: z.optional(z.string()),
  title: z.string(),
  /** Headings the chunk sits under, outermost first. */
  headingPath: z.array(z.string()),
  /** Opens Notion at the chunk's first block (or row page). */
  sourceUrl: z.string(),
  /** Notion's last_edited_time of the indexed content (the row's, for rows), ISO 8601. */
  lastEditedTime: z.optional(z.string()),
  /** With `includeParent` on a hierarchical dataset: the parent chunk's text. */
  parentContent: z.optional(z.string()),
});

export const queryResponseSchema = z.object({ matches: z.array(queryMatchSchema) });

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(API_ERROR_STATUS) as [ApiErrorCode, ...ApiErrorCode[]]),
    message: z.string(),
  }),
});

export type QueryMatch = z.infer<typeof queryMatchSchema>;
export type QueryResponse = z.infer<typeof queryResponseSchema>;
