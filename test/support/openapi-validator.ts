/**
 * Validates API answers against the committed OpenAPI document (docs/api/openapi.json) with Ajv
 * (JSON Schema 2020-12, OpenAPI 3.1's dialect): the contract is checked as a caller reads it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { PROJECT_ROOT } from "../../infra/function-defaults.js";

type Json = Record<string, unknown>;

export const OPENAPI_PATH = path.join(PROJECT_ROOT, "docs/api/openapi.json");

export function committedOpenApi(): Json {
  return JSON.parse(readFileSync(OPENAPI_PATH, "utf8")) as Json;
}

export function openApiValidator(document: Json = committedOpenApi()) {
  // `format` keywords are annotations here (2020-12's default); strict off for OpenAPI's own keywords.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(document, "openapi");
  const operation = ((document.paths as Json)["/v1/query"] as Json).post as Json;
  const responses = operation.responses as Record<string, Json>;
  const schemaRef = (name: string) => ({ $ref: `openapi#/components/schemas/${name}` });
  const request = ajv.compile(schemaRef("QueryRequest"));
  return {
    /** Null when the body is what the document says this status answers; else why not. */
    checkAnswer(status: number, body: unknown): string | null {
      const documented = responses[String(status)];
      if (!documented) return `status ${status} is not in the document`;
      const ref = (((documented.content as Json)["application/json"] as Json).schema as Json).$ref as string;
      const validate = ajv.compile({ $ref: `openapi${ref}` });
      return validate(body) ? null : ajv.errorsText(validate.errors);
    },
    requestIsValid(body: unknown): boolean {
      return request(body) === true;
    },
  };
}
