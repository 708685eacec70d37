/**
 * Queue message bodies for fuzzing, each tagged with what the design (§4) says must happen to it:
 * `invalid` bodies are broken by construction (dead-lettered with a reason), `valid` ones name
 * documents that do not exist (acknowledged, no dead letter), `unknown` ones are arbitrary text whose
 * fate the property only requires to be one of the two.
 *
 * Every body is one SQS can carry: characters SQS refuses are replaced (a raw lone surrogate cannot be
 * sent; one written as a JSON escape, `\ud800`, can, and is fuzzed). fauxqs 1.9 also refuses characters
 * above U+FFFF, which SQS accepts: those are written as JSON escapes (`\ud83d\ude00`), so that emoji
 * still reach the handlers inside JSON strings.
 */
import fc from "fast-check";

export type Verdict = "invalid" | "valid" | "unknown";

export interface FuzzBody {
  body: string;
  verdict: Verdict;
  /** What the generator did, for a failure's report. */
  how: string;
}

/** Largest body the handlers accept (lib/core/messages.ts MAX_MESSAGE_BYTES). */
const MAX_MESSAGE_BYTES = 16 * 1024;

const ASTRAL = /[\u{10000}-\u{10FFFF}]/gu;
/** What fauxqs accepts: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD. */
const NOT_DELIVERABLE = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/g;

export function deliverable(body: string): string {
  const escaped = body.replace(
    ASTRAL,
    (pair) => `\\u${pair.charCodeAt(0).toString(16)}\\u${pair.charCodeAt(1).toString(16)}`,
  );
  return escaped.replace(NOT_DELIVERABLE, "\uFFFD");
}

// ---------------------------------------------------------------- odd text

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const oddCharacter = fc.oneof(
  loneSurrogate,
  fc.constantFrom(
    "\u0000",
    "\u0001",
    "\u001f",
    "\u007f",
    "\u0085",
    "\u200b", // zero-width space
    "\u200e", // left-to-right mark
    "\u202e", // right-to-left override
    "\u2028",
    "\ufeff", // byte order mark
    "\ufffe",
    "\uffff",
    "\ud83d\ude00", // an emoji (a surrogate pair)
    "e\u0301", // a combining accent
    "\u{10ffff}",
    "#",
    "/",
    " ",
    '"',
    "\\",
  ),
);

/** Strings of every kind: ASCII, graphemes, any code point, odd characters, lone surrogates. */
export const oddString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: oddCharacter, maxLength: 10 }),
  fc
    .tuple(fc.string({ maxLength: 5 }), oddCharacter, fc.string({ maxLength: 5 }))
    .map((parts) => parts.join("")),
);

/** An id the schema accepts: letters, digits and . _ : - (1 to 128). */
const validId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/);

/** An id the schema refuses. */
const invalidId = fc.oneof(
  fc.constant(""),
  fc.integer({ min: 129, max: 2_000 }).map((length) => "a".repeat(length)),
  fc.tuple(validId, oddCharacter).map(([id, odd]) => `${id}${odd}`),
  oddString.filter((text) => !/^[A-Za-z0-9._:-]{1,128}$/.test(text)),
);

/** A value of the wrong type for an id or a number. */
const wrongType = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, 2 ** 53, [], {}, ["a"], { id: "a" }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** `[[[…]]]` or `{"a":{"a":…}}`, as JSON text (a parse of it must not overflow the stack). */
const deepJson = fc
  .tuple(fc.integer({ min: 50, max: 5_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  );

// ---------------------------------------------------------------- shapes

type Shape = Record<string, unknown>;

/** Keys no message shape has (the lead may add `tenantId`: it is never used as an extra key). */
const extraKey = oddString.filter(
  (key) => !["datasetId", "documentId", "recheck", "tenantId", "type", "mode", "generation"].includes(key),
);

/** Serialises a shape; a `$deep` placeholder value is replaced by deeply nested JSON text. */
function serialise(shape: Shape, deep: string | undefined): string {
  const json = JSON.stringify(shape);
  return deep === undefined ? json : json.replace('"$deep"', deep);
}

/** One way to break a valid shape; every one makes it invalid whatever optional fields exist. */
function mutations(required: string[], optional: Record<string, fc.Arbitrary<unknown>>) {
  const field = fc.constantFrom(...required);
  return fc.oneof(
    fc.record({ kind: fc.constant("missing field"), field }),
    fc.record({ kind: fc.constant("invalid id"), field, value: invalidId }),
    fc.record({ kind: fc.constant("wrong type"), field, value: wrongType }),
    fc.record({ kind: fc.constant("extra key"), key: extraKey, value: fc.jsonValue({ maxDepth: 2 }) }),
    fc.record({ kind: fc.constant("deep value"), field, deep: deepJson }),
    ...Object.entries(optional).map(([name, value]) =>
      fc.record({ kind: fc.constant(`bad ${name}`), field: fc.constant(name), value }),
    ),
  );
}

type Mutation = { kind: string; field?: string; key?: string; value?: unknown; deep?: string };

function mutate(shape: Shape, mutation: Mutation): { body: string; how: string } {
  const broken: Shape = { ...shape };
  let deep: string | undefined;
  if (mutation.kind === "missing field" && mutation.field) delete broken[mutation.field];
  else if (mutation.kind === "extra key" && mutation.key !== undefined) {
    // defineProperty: an assignment to "__proto__" would set the prototype instead of adding a key.
    Object.defineProperty(broken, mutation.key, { value: mutation.value, enumerable: true });
  } else if (mutation.kind === "deep value" && mutation.field) {
    broken[mutation.field] = "$deep";
    deep = mutation.deep;
  } else if (mutation.field) broken[mutation.field] = mutation.value;
  return { body: serialise(broken, deep), how: mutation.kind };
}

const unitShape = fc.record({ datasetId: validId, documentId: validId });
const indexShape = fc.record({
  datasetId: validId,
  documentId: validId,
  generation: fc.integer({ min: 1, max: 1_000_000 }),
});
const sweepShape = fc.record(
  {
    type: fc.constant("sweep"),
    tenantId: validId,
    datasetId: validId,
    mode: fc.constantFrom("listing", "reconcile"),
  },
  { requiredKeys: ["type"] },
);

const notBoolean = fc.oneof(fc.constantFrom("true", 1, 0, null, [], {}), oddString);
const notMode = fc.oneof(
  oddString.filter((mode) => mode !== "listing" && mode !== "reconcile"),
  wrongType,
);
const notGeneration = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 2 ** 53, 1e308, "1", null, true, [], {}),
  fc.integer({ max: 0 }),
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .filter((value) => !Number.isSafeInteger(value) || value <= 0),
);
const notSweep = fc.oneof(
  fc.constantFrom("Sweep", "SWEEP", "sweep ", "", "unit", null, 1),
  oddString.filter((type) => type !== "sweep"),
);

export const brokenUnitSync: fc.Arbitrary<FuzzBody> = fc
  .tuple(unitShape, mutations(["datasetId", "documentId"], { recheck: notBoolean }))
  .map(([shape, mutation]) => ({ ...mutate(shape, mutation), verdict: "invalid" as const }));

export const brokenSweep: fc.Arbitrary<FuzzBody> = fc
  .tuple(
    sweepShape,
    mutations(["type"], { tenantId: invalidId, datasetId: invalidId, mode: notMode, type: notSweep }),
  )
  .filter(([, mutation]) => mutation.kind !== "missing field") // without `type` it may read as a unit sync
  .map(([shape, mutation]) => ({
    ...mutate(shape, mutation),
    verdict: "invalid" as const,
    how: `sweep: ${mutation.kind}`,
  }));

export const brokenIndex: fc.Arbitrary<FuzzBody> = fc
  .tuple(indexShape, mutations(["datasetId", "documentId"], { generation: notGeneration }))
  .map(([shape, mutation]) => ({ ...mutate(shape, mutation), verdict: "invalid" as const }));

/** Over MAX_MESSAGE_BYTES, by whitespace or by a huge id, in ASCII or in multi-byte characters. */
export const oversized: fc.Arbitrary<FuzzBody> = fc
  .tuple(
    fc.integer({ min: 1, max: 200 * 1024 }),
    fc.constantFrom("whitespace", "id", "multibyte"),
    fc.oneof(unitShape, indexShape),
  )
  .map(([extra, how, shape]) => {
    if (how === "whitespace") {
      const json = JSON.stringify(shape);
      return {
        body: `${json}${" ".repeat(MAX_MESSAGE_BYTES - json.length + extra)}`,
        how: "oversized: whitespace",
      };
    }
    const filler = how === "id" ? "a" : "€"; // 3 bytes in UTF-8: counted in bytes, not characters
    const length = Math.ceil((MAX_MESSAGE_BYTES + extra) / (how === "id" ? 1 : 3));
    return {
      body: JSON.stringify({ ...shape, documentId: filler.repeat(length) }),
      how: `oversized: ${how}`,
    };
  })
  .map((fuzz) => ({ ...fuzz, verdict: "invalid" as const }));

/** Text that is not a JSON object at all. */
const notAnObject: fc.Arbitrary<FuzzBody> = fc
  .oneof(
    fc.constantFrom(
      "",
      " ",
      "null",
      "[]",
      "{",
      "}",
      '"sweep"',
      "{'datasetId': 'a'}",
      '{"datasetId":',
      "\ufeff{}",
      "NaN",
    ),
    fc
      .jsonValue()
      .filter((value) => typeof value !== "object" || value === null || Array.isArray(value))
      .map((value) => JSON.stringify(value)),
    deepJson.filter((json) => json.startsWith("[")),
  )
  .map((body) => ({ body, verdict: "invalid" as const, how: "not an object" }));

/** Arbitrary text and arbitrary JSON: almost never a message, but the property does not assume it. */
const arbitrary: fc.Arbitrary<FuzzBody> = fc.oneof(
  oddString.map((body) => ({ body, verdict: "unknown" as const, how: "arbitrary string" })),
  fc
    .string({ unit: "binary", minLength: 100, maxLength: 2_000 })
    .map((body) => ({ body, verdict: "unknown" as const, how: "long arbitrary string" })),
  fc
    .jsonValue({ maxDepth: 4 })
    .map((value) => ({ body: JSON.stringify(value), verdict: "unknown" as const, how: "arbitrary JSON" })),
  fc
    .object({ maxDepth: 2 })
    .map((value) => ({ body: JSON.stringify(value), verdict: "unknown" as const, how: "arbitrary object" })),
);

/** Bodies that are valid, for documents that do not exist: acknowledged, never dead-lettered. */
export const validUnitSync: fc.Arbitrary<FuzzBody> = fc
  .tuple(unitShape, fc.option(fc.boolean(), { nil: undefined }), fc.constantFrom("", " ", "\n", "\t"))
  .map(([shape, recheck, space]) => ({
    body: `${space}${JSON.stringify(recheck === undefined ? shape : { ...shape, recheck })}${space}`,
    verdict: "valid" as const,
    how: "valid unit sync",
  }));
export const validIndex: fc.Arbitrary<FuzzBody> = indexShape.map((shape) => ({
  body: JSON.stringify(shape),
  verdict: "valid" as const,
  how: "valid index message",
}));
/** Sweeps scoped to a tenant that has no binding: valid, and cheap (nothing to list). */
const validSweep: fc.Arbitrary<FuzzBody> = sweepShape.map((shape) => ({
  body: JSON.stringify({ ...shape, tenantId: `nobody-${shape.tenantId ?? "x"}` }),
  verdict: "valid" as const,
  how: "valid sweep",
}));

function withDeliverableBody(fuzz: FuzzBody): FuzzBody {
  return { ...fuzz, body: deliverable(fuzz.body) };
}

/** Bodies the sync handler is fed: mostly broken, some arbitrary, some valid. */
export const syncBody: fc.Arbitrary<FuzzBody> = fc
  .oneof(
    { arbitrary: brokenUnitSync, weight: 4 },
    { arbitrary: brokenSweep, weight: 3 },
    { arbitrary: brokenIndex, weight: 1 },
    { arbitrary: oversized, weight: 1 },
    { arbitrary: notAnObject, weight: 2 },
    { arbitrary: arbitrary, weight: 3 },
    { arbitrary: validUnitSync, weight: 1 },
    { arbitrary: validSweep, weight: 1 },
  )
  .map(withDeliverableBody);

/** Bodies the index handler is fed. Unit syncs and sweeps are not index messages. */
export const indexBody: fc.Arbitrary<FuzzBody> = fc
  .oneof(
    { arbitrary: brokenIndex, weight: 4 },
    { arbitrary: brokenUnitSync.map((fuzz) => ({ ...fuzz, how: `unit sync: ${fuzz.how}` })), weight: 1 },
    {
      arbitrary: validUnitSync.map((fuzz) => ({ ...fuzz, verdict: "invalid" as const, how: "a unit sync" })),
      weight: 1,
    },
    { arbitrary: brokenSweep, weight: 1 },
    { arbitrary: oversized, weight: 1 },
    { arbitrary: notAnObject, weight: 2 },
    { arbitrary: arbitrary, weight: 3 },
    { arbitrary: validIndex, weight: 1 },
  )
  .map(withDeliverableBody);

/** Broken bodies only (for batches whose dead letters are counted exactly). */
export const brokenSyncBody = fc
  .oneof(brokenUnitSync, brokenSweep, oversized, notAnObject)
  .map(withDeliverableBody);
export const brokenIndexBody = fc
  .oneof(brokenIndex, brokenUnitSync, oversized, notAnObject)
  .map(withDeliverableBody);
