/**
 * The committed OpenAPI document is the one the handler's schemas make (`npm run openapi` writes
 * it), and it documents every status the API answers. The answers themselves are checked against
 * it in test/integration/query-api.test.ts; bodies in test/fuzz/query-bodies.test.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/function-defaults.js";
import { API_ERROR_STATUS } from "../../lib/retrieval/api-error.js";
import { openApiDocument } from "../../lib/retrieval/openapi-document.js";
import { committedOpenApi, openApiValidator } from "../support/openapi-validator.js";

const { version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
  version: string;
};

describe("the OpenAPI document", () => {
  it("is what the handler's schemas make (run `npm run openapi` after changing them)", () => {
    expect(committedOpenApi()).toEqual(JSON.parse(JSON.stringify(openApiDocument(version))));
  });

  it("is OpenAPI 3.1 and documents 200 and every error status, each with the one error shape", () => {
    const document = committedOpenApi() as {
      openapi: string;
      paths: Record<string, { post: { responses: object } }>;
    };
    expect(document.openapi).toBe("3.1.0");
    const statuses = Object.keys(document.paths["/v1/query"]?.post.responses ?? {});
    expect(statuses.sort()).toEqual(["200", ...Object.values(API_ERROR_STATUS).map(String)].sort());
    const validator = openApiValidator();
    expect(
      validator.checkAnswer(401, { error: { code: "unauthorized", message: "the API key is not valid" } }),
    ).toBeNull();
    expect(validator.checkAnswer(401, { error: { code: "nope", message: "x" } })).not.toBeNull();
    expect(validator.checkAnswer(200, { matches: [{ id: "x" }] })).not.toBeNull();
    expect(validator.checkAnswer(418, {})).toMatch(/not in the document/);
  });

  it("takes the request bodies the handler takes", () => {
    const validator = openApiValidator();
    expect(validator.requestIsValid({ query: "refunds", datasetId: "handbook", topK: 5 })).toBe(true);
    expect(
      validator.requestIsValid({
        query: "refunds",
        datasetId: ["a", "b"],
        filter: { pageIds: ["0123456789abcdef0123456789abcdef"], properties: { Status: { $in: ["Done"] } } },
      }),
    ).toBe(true);
    expect(validator.requestIsValid({ query: "refunds" })).toBe(false);
    expect(validator.requestIsValid({ query: "refunds", datasetId: "d", topK: 51 })).toBe(false);
    expect(validator.requestIsValid({ query: "refunds", datasetId: "d", extra: 1 })).toBe(false);
  });
});
