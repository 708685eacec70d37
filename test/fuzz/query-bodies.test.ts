/**
 * Fuzzed request bodies through the query API's handler (lib/retrieval/query-api.ts), with ports
 * faked by hand (the handler is what is under test; test/integration/query-api.test.ts runs it on
 * the stand-ins). Properties, for every body:
 * - the answer is 200 or a 4xx with the one error shape and a one-line reason, never a 5xx;
 * - a body broken by construction gets 400 `invalid_request` (or 413 when too large), and the
 *   reason names what is wrong;
 * - a body the handler takes is one the OpenAPI document takes too.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_QUERY_BODY_BYTES } from "../../lib/retrieval/query-api.js";
import { createMemoryQueryApi, MEMORY_DATASET } from "../support/memory-retrieval.js";
import { openApiValidator } from "../support/openapi-validator.js";
import { FUZZ_TIMEOUT_MS, printSummaries, runsFor, Tally } from "./fuzz-runs.js";

const DATASET = MEMORY_DATASET;
const api = await createMemoryQueryApi();
const validator = openApiValidator();
const tallies = {
  broken: new Tally("query bodies broken by construction (query API)", "bodies"),
  arbitrary: new Tally("arbitrary JSON and near-valid query bodies (query API)", "bodies"),
};

afterAll(() => printSummaries(Object.values(tallies)));

async function send(body: string) {
  const answer = await api({
    method: "POST",
    path: "/v1/query",
    headers: { authorization: "Bearer any", "content-type": "application/json" },
    body: Buffer.from(body, "utf8"),
  });
  return answer as { status: number; body: { error?: { code: string; message: string } } };
}

function expectOneShape(answer: { status: number; body: { error?: { code: string; message: string } } }) {
  expect(answer.status).toBeLessThan(500);
  if (answer.status === 200) return;
  expect(Object.keys(answer.body)).toEqual(["error"]);
  expect(answer.body.error?.message).toMatch(/^[^\n]{1,400}$/);
  expect(validator.checkAnswer(answer.status, answer.body)).toBeNull();
}

const valid = { query: "refunds", datasetId: DATASET, topK: 3 };

/** Valid bodies with exactly one thing broken, and what the reason must name. */
const broken: fc.Arbitrary<{ body: unknown; names: RegExp }> = fc.oneof(
  fc.constantFrom<{ body: unknown; names: RegExp }>(
    { body: null, names: /body/ },
    { body: [], names: /body/ },
    { body: "text", names: /body/ },
    { body: {}, names: /query/ },
  ),
  fc
    .integer()
    .filter((n) => n < 1 || n > 50)
    .map((topK) => ({ body: { ...valid, topK }, names: /topK/ })),
  fc
    .double()
    .filter((n) => !Number.isInteger(n))
    .map((topK) => ({ body: { ...valid, topK }, names: /topK/ })),
  fc
    .string({ maxLength: 3 })
    .filter((s) => s.trim() === "")
    .map((query) => ({ body: { ...valid, query }, names: /query/ })),
  fc
    .string({ minLength: 1 })
    .filter((s) => !/^[A-Za-z0-9._:-]+$/.test(s))
    .map((datasetId) => ({
      body: { ...valid, datasetId },
      names: /datasetId/,
    })),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((key) => !(key in valid) && !["filter", "includeParent", "__proto__"].includes(key))
    .map((key) => ({
      body: { ...valid, [key]: 1 },
      names: /body|Unrecognized/,
    })),
  fc
    .string()
    .filter((s) => !/^[0-9a-fA-F-]{32,36}$/.test(s))
    .map((id) => ({
      body: { ...valid, filter: { pageIds: [id] } },
      names: /filter\.pageIds/,
    })),
  fc.string().map((time) => ({
    body: { ...valid, filter: { lastEditedAfter: `x${time}` } },
    names: /lastEditedAfter/,
  })),
  fc.constantFrom("$regex", "$where", "$and", "$or", "$foo").map((op) => ({
    body: { ...valid, filter: { properties: { Status: { [op]: "x" } } } },
    names: /filter\.properties/,
  })),
  fc
    .anything()
    .filter((value) => typeof value !== "boolean" && value !== undefined)
    .map((includeParent) => ({
      body: { ...valid, includeParent },
      names: /includeParent/,
    })),
);

describe("query bodies", () => {
  it(
    "a broken body gets 400 with a reason that names what is wrong",
    async () => {
      await tallies.broken.run(
        fc.asyncProperty(broken, async ({ body, names }) => {
          const answer = await send(JSON.stringify(body));
          expectOneShape(answer);
          expect(answer.status).toBe(400);
          expect(answer.body.error?.code).toBe("invalid_request");
          expect(answer.body.error?.message).toMatch(names);
          tallies.broken.count({ rejected: 1 });
        }),
        runsFor(0.02, 100),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "any body gets 200 or a 4xx with the one error shape, and what is taken is what the OpenAPI document takes",
    async () => {
      const nearValid = fc.record(
        {
          query: fc.oneof(fc.string(), fc.constant("refunds")),
          datasetId: fc.oneof(fc.constant(DATASET), fc.array(fc.constant(DATASET)), fc.string()),
          topK: fc.oneof(fc.integer({ min: -5, max: 60 }), fc.anything()),
          filter: fc.anything(),
          includeParent: fc.oneof(fc.boolean(), fc.anything()),
        },
        { requiredKeys: [] },
      );
      const notionId = fc.uuid().map((id) => (id.length % 2 === 0 ? id : id.replaceAll("-", "")));
      const condition = fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.integer(),
        fc.boolean(),
        fc.record({ $in: fc.array(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 3 }) }),
        fc.record({ $gte: fc.integer(), $lt: fc.integer() }, { requiredKeys: ["$gte"] }),
      );
      const validBody = fc.record(
        {
          query: fc.string({ minLength: 1, maxLength: 200 }).filter((q) => q.trim() !== ""),
          datasetId: fc.oneof(fc.constant(DATASET), fc.constant([DATASET])),
          topK: fc.integer({ min: 1, max: 50 }),
          includeParent: fc.boolean(),
          filter: fc.record(
            {
              pageIds: fc.array(notionId, { minLength: 1, maxLength: 3 }),
              documentIds: fc.array(fc.constantFrom("doc-1", "doc-2"), { minLength: 1, maxLength: 2 }),
              lastEditedBefore: fc
                .date({ noInvalidDate: true, min: new Date(0) })
                .map((d) => d.toISOString()),
              properties: fc.dictionary(
                fc.string({ minLength: 1, maxLength: 20 }).filter((name) => name !== "__proto__"),
                condition,
                { maxKeys: 3 },
              ),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: ["query", "datasetId"] },
      );
      const text = fc.oneof(
        validBody.map((body) => JSON.stringify(body)),
        fc.json(),
        nearValid.map((body) => JSON.stringify(body)),
        fc.string(),
        fc.constant("x".repeat(MAX_QUERY_BODY_BYTES + 1)),
      );
      await tallies.arbitrary.run(
        fc.asyncProperty(text, async (body) => {
          const answer = await send(body);
          expectOneShape(answer);
          if (answer.status === 200) expect(validator.requestIsValid(JSON.parse(body))).toBe(true);
          tallies.arbitrary.count(answer.status === 200 ? { accepted: 1 } : { rejected: 1 });
        }),
        runsFor(0.03, 200),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
