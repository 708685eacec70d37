/**
 * The retrieval API's OpenAPI 3.1 document, built from the schemas the handler uses
 * (./query-request.ts, ./query-response.ts), so the two cannot drift: docs/api/openapi.json is this
 * document, written by `npm run openapi`, and a test fails when the committed file differs.
 */
import * as z from "zod/mini";
import { API_ERROR_STATUS } from "./api-error.js";
import { QUERY_PATH } from "./query-api.js";
import { queryRequestSchema } from "./query-request.js";
import { apiErrorSchema, queryResponseSchema } from "./query-response.js";

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.core.$ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
  }) as JsonSchema;
  return rest;
}

const ERROR_STATUSES: [string, string][] = [
  ["400", "The body is not a valid query (`invalid_request`)."],
  ["401", "No key, a malformed, unknown or revoked key (`unauthorized`). Nothing was read."],
  ["403", "The key does not reach a dataset it names (`forbidden`)."],
  ["404", "No such dataset for the key's tenant, or no such path (`not_found`)."],
  ["405", "Not POST (`method_not_allowed`)."],
  ["413", "The body is over 32 KB (`payload_too_large`)."],
  ["415", "The body is not application/json (`unsupported_media_type`)."],
  ["429", "The key is over its request rate (`rate_limited`); see Retry-After."],
  ["500", "A failure on the API's side (`internal`); it is logged."],
  ["503", "A service the API needs is busy (`unavailable`); see Retry-After."],
];

export function openApiDocument(version: string): Record<string, unknown> {
  const errorResponse = (description: string) => ({
    description,
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "notion-index-sync retrieval API",
      version,
      description:
        "Ranked chunks of a tenant's Notion content, from the index notion-index-sync keeps. Only each document's current generation is returned; deleted and archived documents never are. docs/retrieval-api.md says what a caller may rely on.",
    },
    servers: [{ url: "{queryUrl}", variables: { queryUrl: { default: "http://127.0.0.1:0/" } } }],
    security: [{ apiKey: [] }],
    paths: {
      [QUERY_PATH]: {
        post: {
          operationId: "query",
          summary: "Nearest chunks to a text, in one or more datasets",
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/QueryRequest" } } },
          },
          responses: {
            "200": {
              description: "The matches, best first (at most topK).",
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/QueryResponse" } },
              },
            },
            ...Object.fromEntries(ERROR_STATUSES.map(([status, text]) => [status, errorResponse(text)])),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "A key from `notion-index-sync apikey create` (nis_…).",
        },
      },
      schemas: {
        QueryRequest: jsonSchema(queryRequestSchema, "input"),
        QueryResponse: jsonSchema(queryResponseSchema, "output"),
        Error: jsonSchema(apiErrorSchema, "output"),
      },
    },
  };
}

/** Every status the document names is one an error code stands for, or 200. */
export const DOCUMENTED_STATUSES = ["200", ...Object.values(API_ERROR_STATUS).map(String)];
