/**
 * A local stand-in for Pinecone (docs/local-stack.md): speaks the data-plane and control-plane HTTP API that the
 * real `@pinecone-database/pinecone` 8.x client uses, so the real client runs against it unchanged
 * (`new Pinecone({ apiKey, controllerHostUrl: url })`, `pc.index({ host: url })`).
 *
 * Wire format (API version 2026-04): data-plane bodies are camelCase (`topK`, `includeMetadata`,
 * `paginationToken`, `totalVectorCount`), control-plane bodies snake_case (`vector_type`,
 * `deletion_protection`). The client sends the default namespace as `__default__`; "" means the same.
 * Values are stored as float32, as Pinecone does, so fetched values are rounded.
 * Pinecone Inference's `POST /embed` is served too, on the controller host (pinecone-inference.ts).
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { dirname } from "node:path";
import { listenOnLoopback, sendJson } from "./json-http.js";
import { answerEmbed, type EmbedCall } from "./pinecone-inference.js";

export type Metric = "cosine" | "dotproduct" | "euclidean";

export interface PineconeServerOptions {
  port?: number;
  indexName?: string;
  dimension: number;
  metric?: Metric;
  /** When set, requests without this `Api-Key` header are answered 401. */
  apiKey?: string;
  /** JSON file the vectors are loaded from at start and saved to after writes. */
  persistPath?: string;
}

export interface PineconeStandIn {
  /** Base URL: the index host of the main index and the controller host. */
  url: string;
  indexName: string;
  close(): Promise<void>;
  /** Requests received per route, keyed `METHOD /path` (e.g. `POST /vectors/upsert`). */
  requestCounts(): Record<string, number>;
  faults: {
    /**
     * The next `count` data-plane requests (upsert, query, delete, fetch, list, stats) answer `status`
     * with a Pinecone-shaped error body.
     */
    failNext(count: number, status: number, retryAfterSeconds?: number): void;
    /** The data-plane request after the next `successes` ones answers `status`: a failure mid-operation. */
    failAfter(successes: number, status: number): void;
    /** Drops every data-plane and embed fault not yet served. */
    clear(): void;
    /** Data-plane faults not yet served. */
    pending(): number;
    /** The next `count` `/embed` requests answer `status` (Pinecone Inference's error shape). */
    failNextEmbed(count: number, status: number, retryAfterSeconds?: number): void;
  };
  /** Every `/embed` request answered, in order: model, input type, number of texts, tokens. */
  embedCalls(): EmbedCall[];
  /** Ids in a namespace of the main index, sorted ("" or "__default__" is the default namespace). */
  ids(namespace: string): string[];
  /** Namespaces of the main index that hold vectors ("" is the default namespace). */
  namespaces(): string[];
}

// ---------------------------------------------------------------- limits (Pinecone's documented ones)

const MAX_UPSERT_VECTORS = 1000;
const MAX_UPSERT_BYTES = 2 * 1024 * 1024;
const MAX_METADATA_BYTES = 40 * 1024;
const MAX_DELETE_IDS = 1000;
const MAX_FETCH_IDS = 1000;
const MAX_TOP_K = 10_000;
/** Pinecone caps topK lower when values or metadata are returned. */
const MAX_TOP_K_WITH_DATA = 1000;
const MAX_LIST_LIMIT = 100;
const MAX_ID_LENGTH = 512;
/** Above this the body is not even read (a real service would cut the connection too). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const PERSIST_DEBOUNCE_MS = 100;
const DEFAULT_NAMESPACE_WIRE = "__default__";

// ---------------------------------------------------------------- state

type MetadataValue = string | number | boolean | string[];
type Metadata = Record<string, MetadataValue>;

interface StoredVector {
  id: string;
  values: number[];
  metadata?: Metadata;
}

interface IndexState {
  name: string;
  dimension: number;
  metric: Metric;
  /** Path prefix of the index's host; "" for the main index served at the root. */
  pathPrefix: string;
  namespaces: Map<string, Map<string, StoredVector>>;
}

/** A request that Pinecone would refuse: answered with `status` and a Pinecone-shaped body. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function badRequest(message: string): ApiError {
  return new ApiError(400, message);
}

/** Internal key of a namespace: the client's `__default__` and "" are the same namespace. */
function namespaceKey(wire: unknown): string {
  if (wire === undefined || wire === null || wire === DEFAULT_NAMESPACE_WIRE) return "";
  if (typeof wire !== "string") throw badRequest("namespace must be a string");
  return wire;
}

function namespaceWire(key: string): string {
  return key === "" ? DEFAULT_NAMESPACE_WIRE : key;
}

function namespaceOf(index: IndexState, key: string): Map<string, StoredVector> | undefined {
  return index.namespaces.get(key);
}

function namespaceForWrite(index: IndexState, key: string): Map<string, StoredVector> {
  let vectors = index.namespaces.get(key);
  if (!vectors) {
    vectors = new Map();
    index.namespaces.set(key, vectors);
  }
  return vectors;
}

/** Pinecone drops a namespace once it holds no vectors. */
function dropIfEmpty(index: IndexState, key: string): void {
  if (index.namespaces.get(key)?.size === 0) index.namespaces.delete(key);
}

// ---------------------------------------------------------------- request validation

function asObject(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  return body as Record<string, unknown>;
}

function validateId(id: unknown): string {
  if (typeof id !== "string" || id.length === 0)
    throw badRequest("Every vector must have a non-empty string id");
  if (id.length > MAX_ID_LENGTH)
    throw badRequest(`Vector id exceeds ${MAX_ID_LENGTH} characters: ${id.slice(0, 40)}…`);
  return id;
}

function validateValues(values: unknown, index: IndexState, what: string): number[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw badRequest(`${what}: dense values are required by this dense index`);
  }
  if (values.length !== index.dimension) {
    throw badRequest(
      `Vector dimension ${values.length} does not match the dimension of the index ${index.dimension}`,
    );
  }
  if (!values.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw badRequest(`${what}: values must be finite numbers`);
  }
  if (index.metric === "cosine" && values.every((v) => v === 0)) {
    throw badRequest(`${what}: dense vectors must contain at least one non-zero value for a cosine index`);
  }
  return values.map((v) => Math.fround(v));
}

function isMetadataValue(value: unknown): value is MetadataValue {
  if (Array.isArray(value)) return value.every((item) => typeof item === "string");
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

function validateMetadata(metadata: unknown, id: string): Metadata | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  const fields = asObject(metadata, `Metadata of vector ${id}`);
  for (const [key, value] of Object.entries(fields)) {
    if (!isMetadataValue(value)) {
      throw badRequest(
        `Metadata value of field '${key}' of vector ${id} must be a string, number, boolean or list of strings (null is not supported)`,
      );
    }
  }
  const size = Buffer.byteLength(JSON.stringify(fields));
  if (size > MAX_METADATA_BYTES) {
    throw badRequest(
      `Metadata size is ${size} bytes, which exceeds the limit of ${MAX_METADATA_BYTES} bytes per vector`,
    );
  }
  return fields as Metadata;
}

function validateVector(raw: unknown, index: IndexState): StoredVector {
  const vector = asObject(raw, "Each vector");
  const id = validateId(vector.id);
  const values = validateValues(vector.values, index, `Vector ${id}`);
  const metadata = validateMetadata(vector.metadata, id);
  return metadata ? { id, values, metadata } : { id, values };
}

// ---------------------------------------------------------------- metadata filters

const FIELD_OPERATORS = new Set(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"]);

function scalarEquals(stored: MetadataValue | undefined, expected: unknown): boolean {
  // A list matches when any of its items matches, as in Pinecone.
  if (Array.isArray(stored)) return stored.some((item) => item === expected);
  return stored === expected;
}

function compareNumbers(stored: MetadataValue | undefined, operand: unknown, op: string): boolean {
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

function operandList(operand: unknown, op: string): unknown[] {
  if (!Array.isArray(operand)) throw badRequest(`${op} requires an array operand`);
  return operand;
}

function matchesOperator(stored: MetadataValue | undefined, op: string, operand: unknown): boolean {
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

function matchesField(stored: MetadataValue | undefined, condition: unknown): boolean {
  if (typeof condition !== "object" || condition === null || Array.isArray(condition)) {
    return scalarEquals(stored, condition); // a plain value is an implicit $eq
  }
  return Object.entries(condition).every(([op, operand]) => {
    if (!FIELD_OPERATORS.has(op)) throw badRequest(`Unsupported filter operator: ${op}`);
    return matchesOperator(stored, op, operand);
  });
}

function subFilters(operand: unknown, op: string): Record<string, unknown>[] {
  return operandList(operand, op).map((item) => asObject(item, `Each ${op} clause`));
}

function matchesFilter(metadata: Metadata | undefined, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === "$and") return subFilters(condition, key).every((sub) => matchesFilter(metadata, sub));
    if (key === "$or") return subFilters(condition, key).some((sub) => matchesFilter(metadata, sub));
    if (key.startsWith("$")) throw badRequest(`Unsupported top-level filter operator: ${key}`);
    return matchesField(metadata?.[key], condition);
  });
}

function parseFilter(raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined;
  const filter = asObject(raw, "filter");
  if (Object.keys(filter).length === 0) throw badRequest("filter must not be empty");
  matchesFilter(undefined, filter); // validates operators before any vector is touched
  return filter;
}

// ---------------------------------------------------------------- scoring

function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

function score(metric: Metric, query: number[], stored: number[]): number {
  if (metric === "dotproduct") return dot(query, stored);
  if (metric === "euclidean") {
    // Pinecone reports the squared distance for euclidean indexes.
    let sum = 0;
    for (let i = 0; i < query.length; i++) sum += ((query[i] ?? 0) - (stored[i] ?? 0)) ** 2;
    return sum;
  }
  return dot(query, stored) / Math.sqrt(dot(query, query) * dot(stored, stored));
}

/** Best first: highest similarity, or lowest distance for euclidean; ties by id for stable output. */
function byBestScore(metric: Metric) {
  return (a: { id: string; score: number }, b: { id: string; score: number }): number => {
    const diff = metric === "euclidean" ? a.score - b.score : b.score - a.score;
    return diff !== 0 ? diff : a.id < b.id ? -1 : 1;
  };
}

// ---------------------------------------------------------------- data-plane handlers

function upsert(index: IndexState, body: unknown, bodyBytes: number): unknown {
  if (bodyBytes > MAX_UPSERT_BYTES) {
    throw badRequest(
      `Request size ${bodyBytes} bytes exceeds the maximum supported size of ${MAX_UPSERT_BYTES} bytes`,
    );
  }
  const request = asObject(body, "Upsert request");
  if (!Array.isArray(request.vectors) || request.vectors.length === 0) {
    throw badRequest("vectors must be a non-empty array");
  }
  if (request.vectors.length > MAX_UPSERT_VECTORS) {
    throw badRequest(
      `Upsert of ${request.vectors.length} vectors exceeds the maximum of ${MAX_UPSERT_VECTORS} vectors per request`,
    );
  }
  const vectors = request.vectors.map((raw) => validateVector(raw, index));
  const target = namespaceForWrite(index, namespaceKey(request.namespace));
  for (const vector of vectors) target.set(vector.id, vector);
  return { upsertedCount: vectors.length };
}

function queryVector(index: IndexState, request: Record<string, unknown>, key: string): number[] | undefined {
  if (request.queries !== undefined)
    throw badRequest("queries is no longer supported: send one vector or id");
  const hasVector = request.vector !== undefined;
  const hasId = request.id !== undefined;
  if (hasVector === hasId) throw badRequest("Exactly one of vector or id must be provided");
  if (hasVector) return validateValues(request.vector, index, "Query vector");
  return namespaceOf(index, key)?.get(validateId(request.id))?.values;
}

function validateTopK(request: Record<string, unknown>): number {
  const topK = request.topK;
  if (typeof topK !== "number" || !Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) {
    throw badRequest(`topK must be an integer between 1 and ${MAX_TOP_K}`);
  }
  if ((request.includeValues === true || request.includeMetadata === true) && topK > MAX_TOP_K_WITH_DATA) {
    throw badRequest(`topK must be at most ${MAX_TOP_K_WITH_DATA} when values or metadata are included`);
  }
  return topK;
}

function query(index: IndexState, body: unknown): unknown {
  const request = asObject(body, "Query request");
  const topK = validateTopK(request);
  const filter = parseFilter(request.filter);
  const key = namespaceKey(request.namespace);
  const vector = queryVector(index, request, key);
  const candidates = vector ? [...(namespaceOf(index, key)?.values() ?? [])] : [];
  const matches = candidates
    .filter((stored) => !filter || matchesFilter(stored.metadata, filter))
    .map((stored) => ({ stored, id: stored.id, score: score(index.metric, vector ?? [], stored.values) }))
    .sort(byBestScore(index.metric))
    .slice(0, topK)
    .map(({ stored, id, score: s }) => ({
      id,
      score: s,
      values: request.includeValues === true ? stored.values : [],
      ...(request.includeMetadata === true && stored.metadata ? { metadata: stored.metadata } : {}),
    }));
  return { matches, namespace: namespaceWire(key), usage: { readUnits: 5 } };
}

function deleteVectors(index: IndexState, body: unknown): unknown {
  const request = asObject(body, "Delete request");
  const key = namespaceKey(request.namespace);
  const modes = [request.ids !== undefined, request.deleteAll === true, request.filter !== undefined];
  if (modes.filter(Boolean).length !== 1)
    throw badRequest("Exactly one of ids, deleteAll or filter must be provided");
  const vectors = namespaceOf(index, key);
  if (request.deleteAll === true) {
    index.namespaces.delete(key);
    return {};
  }
  if (request.ids !== undefined) {
    const ids = request.ids;
    if (!Array.isArray(ids) || ids.length === 0) throw badRequest("ids must be a non-empty array");
    if (ids.length > MAX_DELETE_IDS) {
      throw badRequest(
        `Delete of ${ids.length} ids exceeds the maximum of ${MAX_DELETE_IDS} ids per request`,
      );
    }
    for (const id of ids) vectors?.delete(validateId(id));
  } else {
    const filter = parseFilter(request.filter) ?? {};
    for (const stored of [...(vectors?.values() ?? [])]) {
      if (matchesFilter(stored.metadata, filter)) vectors?.delete(stored.id);
    }
  }
  dropIfEmpty(index, key);
  return {};
}

function fetchVectors(index: IndexState, params: URLSearchParams): unknown {
  const ids = params.getAll("ids");
  if (ids.length === 0) throw badRequest("ids must be provided");
  if (ids.length > MAX_FETCH_IDS)
    throw badRequest(`Fetch of ${ids.length} ids exceeds the maximum of ${MAX_FETCH_IDS}`);
  const key = namespaceKey(params.get("namespace") ?? undefined);
  const found: Record<string, StoredVector> = {};
  for (const id of ids) {
    const stored = namespaceOf(index, key)?.get(id);
    if (stored) found[id] = stored;
  }
  return { vectors: found, namespace: namespaceWire(key), usage: { readUnits: 1 } };
}

function encodeToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString("base64url");
}

function decodeToken(token: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    const after = (decoded as { after?: unknown }).after;
    if (typeof after === "string") return after;
  } catch {
    // falls through to the error below
  }
  throw badRequest("Invalid pagination token");
}

function listLimit(raw: string | null): number {
  if (raw === null) return MAX_LIST_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw badRequest(`limit must be an integer between 1 and ${MAX_LIST_LIMIT}`);
  }
  return limit;
}

function listIds(index: IndexState, params: URLSearchParams): unknown {
  const prefix = params.get("prefix") ?? "";
  const limit = listLimit(params.get("limit"));
  const token = params.get("paginationToken");
  const after = token ? decodeToken(token) : undefined;
  const key = namespaceKey(params.get("namespace") ?? undefined);
  const all = [...(namespaceOf(index, key)?.keys() ?? [])]
    .filter((id) => id.startsWith(prefix) && (after === undefined || id > after))
    .sort();
  const page = all.slice(0, limit);
  const last = page.at(-1);
  return {
    vectors: page.map((id) => ({ id })),
    ...(all.length > limit && last !== undefined ? { pagination: { next: encodeToken(last) } } : {}),
    namespace: namespaceWire(key),
    usage: { readUnits: 1 },
  };
}

function describeStats(index: IndexState, body: unknown): unknown {
  const request = body === undefined ? {} : asObject(body, "Describe index stats request");
  if (request.filter !== undefined) {
    throw badRequest("Serverless indexes do not support describing index stats with metadata filtering");
  }
  const namespaces: Record<string, { vectorCount: number }> = {};
  let total = 0;
  for (const [key, vectors] of index.namespaces) {
    namespaces[namespaceWire(key)] = { vectorCount: vectors.size };
    total += vectors.size;
  }
  return {
    namespaces,
    dimension: index.dimension,
    indexFullness: 0,
    totalVectorCount: total,
    metric: index.metric,
    vectorType: "dense",
  };
}

// ---------------------------------------------------------------- control-plane handlers

function indexModel(index: IndexState, baseUrl: string): unknown {
  return {
    name: index.name,
    dimension: index.dimension,
    metric: index.metric,
    // Real Pinecone answers a bare host name; ours carries the scheme so the client keeps http.
    host: baseUrl + index.pathPrefix,
    deletion_protection: "disabled",
    tags: null,
    spec: {
      serverless: {
        cloud: "aws",
        region: "us-east-1",
        read_capacity: { mode: "OnDemand", status: { state: "Ready" } },
      },
    },
    status: { ready: true, state: "Ready" },
    vector_type: "dense",
  };
}

const INDEX_NAME = /^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$/;
const METRICS: readonly Metric[] = ["cosine", "dotproduct", "euclidean"];

function createIndexState(body: unknown, existing: Map<string, IndexState>): IndexState {
  const request = asObject(body, "Create index request");
  const name = request.name;
  if (typeof name !== "string" || !INDEX_NAME.test(name)) {
    throw badRequest(
      "name must be 1-45 lowercase letters, digits or hyphens, starting and ending alphanumeric",
    );
  }
  if (existing.has(name)) throw new ApiError(409, `Resource ${name} already exists`);
  if (request.vector_type !== undefined && request.vector_type !== "dense") {
    throw badRequest("The stand-in supports dense indexes only");
  }
  const dimension = request.dimension;
  if (typeof dimension !== "number" || !Number.isInteger(dimension) || dimension < 1 || dimension > 20_000) {
    throw badRequest("dimension must be an integer between 1 and 20000");
  }
  const metric = request.metric ?? "cosine";
  if (!METRICS.includes(metric as Metric)) throw badRequest(`metric must be one of ${METRICS.join(", ")}`);
  return { name, dimension, metric: metric as Metric, pathPrefix: `/_index/${name}`, namespaces: new Map() };
}

// ---------------------------------------------------------------- persistence

interface PersistedIndex {
  name: string;
  dimension: number;
  metric: Metric;
  pathPrefix: string;
  namespaces: Record<string, StoredVector[]>;
}

function toPersisted(indexes: Iterable<IndexState>): string {
  const out: PersistedIndex[] = [];
  for (const index of indexes) {
    const namespaces: Record<string, StoredVector[]> = {};
    for (const [key, vectors] of index.namespaces) namespaces[key] = [...vectors.values()];
    const { name, dimension, metric, pathPrefix } = index;
    out.push({ name, dimension, metric, pathPrefix, namespaces });
  }
  return JSON.stringify({ version: 1, indexes: out });
}

function fromPersisted(persisted: PersistedIndex): IndexState {
  const namespaces = new Map<string, Map<string, StoredVector>>();
  for (const [key, vectors] of Object.entries(persisted.namespaces)) {
    namespaces.set(key, new Map(vectors.map((vector) => [vector.id, vector])));
  }
  return { ...persisted, namespaces };
}

async function loadPersisted(path: string): Promise<IndexState[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const parsed = JSON.parse(text) as { indexes?: PersistedIndex[] };
  return (parsed.indexes ?? []).map(fromPersisted);
}

/** Debounced, serialized, atomic saves: a crash mid-write leaves the previous file intact. */
function createPersister(path: string, snapshot: () => string) {
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  async function write(): Promise<void> {
    const temp = `${path}.${process.pid}.tmp`;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, snapshot());
    await rename(temp, path);
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(write, write);
    return writing;
  }

  return {
    schedule(): void {
      if (!timer) timer = setTimeout(() => void flush().catch(() => undefined), PERSIST_DEBOUNCE_MS);
    },
    flush,
  };
}

// ---------------------------------------------------------------- HTTP plumbing

/** gRPC status codes that Pinecone's data plane puts in its error bodies. */
function grpcCode(status: number): number {
  const codes: Record<number, number> = {
    400: 3,
    401: 16,
    403: 7,
    404: 5,
    409: 6,
    413: 3,
    429: 8,
    500: 13,
    503: 14,
  };
  return codes[status] ?? 2;
}

function controlCode(status: number): string {
  const codes: Record<number, string> = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
  };
  return codes[status] ?? "UNKNOWN";
}

function sendError(
  res: ServerResponse,
  plane: "data" | "control",
  error: ApiError,
  headers?: Record<string, string>,
) {
  const body =
    plane === "data"
      ? { code: grpcCode(error.status), message: error.message, details: [] }
      : { error: { code: controlCode(error.status), message: error.message }, status: error.status };
  sendJson(res, error.status, body, headers);
}

async function readBody(req: IncomingMessage): Promise<{ body: unknown; bytes: number }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_BODY_BYTES) throw new ApiError(413, `Request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (bytes === 0) return { body: undefined, bytes };
  try {
    return { body: JSON.parse(Buffer.concat(chunks).toString("utf8")), bytes };
  } catch {
    throw badRequest("Request body is not valid JSON");
  }
}

interface Route {
  key: string;
  plane: "data" | "control";
  index?: IndexState;
  /** Name from `/indexes/{name}`. */
  name?: string;
}

const DATA_ROUTES = new Set([
  "POST /vectors/upsert",
  "POST /query",
  "POST /vectors/delete",
  "GET /vectors/fetch",
  "GET /vectors/list",
  "POST /describe_index_stats",
]);

/** Maps a request to a route; data-plane paths of extra indexes carry their `/_index/{name}` prefix. */
function resolveRoute(
  method: string,
  path: string,
  indexes: Map<string, IndexState>,
  main: IndexState,
): Route {
  const prefixed = /^\/_index\/([^/]+)(\/.*)$/.exec(path);
  const index = prefixed ? indexes.get(decodeURIComponent(prefixed[1] ?? "")) : main;
  const dataPath = prefixed ? (prefixed[2] ?? "") : path;
  if (index && DATA_ROUTES.has(`${method} ${dataPath}`))
    return { key: `${method} ${dataPath}`, plane: "data", index };
  if (path === "/embed" && method === "POST") return { key: "POST /embed", plane: "control" };
  if (path === "/indexes" && (method === "GET" || method === "POST"))
    return { key: `${method} /indexes`, plane: "control" };
  const named = /^\/indexes\/([^/]+)$/.exec(path);
  if (named && method === "GET") {
    return { key: "GET /indexes/{name}", plane: "control", name: decodeURIComponent(named[1] ?? "") };
  }
  return { key: "unknown", plane: prefixed ? "data" : "control" };
}

// ---------------------------------------------------------------- the server

function mainIndexState(options: PineconeServerOptions, persisted: IndexState[]): IndexState {
  const name = options.indexName ?? "notion-index-sync";
  const metric = options.metric ?? "cosine";
  const found = persisted.find((index) => index.name === name);
  if (found && (found.dimension !== options.dimension || found.metric !== metric)) {
    throw new Error(
      `Persisted Pinecone index '${name}' in ${options.persistPath} has dimension ${found.dimension} and metric ` +
        `${found.metric}, but ${options.dimension}/${metric} was requested: delete the file to start afresh`,
    );
  }
  return found ?? { name, dimension: options.dimension, metric, pathPrefix: "", namespaces: new Map() };
}

/** The data-plane fault for this request, if its turn has come. */
function nextDataFault<T extends { after?: number }>(faults: T[]): T | undefined {
  const first = faults[0];
  if (first?.after !== undefined && first.after > 0) {
    first.after -= 1;
    return undefined;
  }
  return faults.shift();
}

export async function startPineconeServer(options: PineconeServerOptions): Promise<PineconeStandIn> {
  if (!Number.isInteger(options.dimension) || options.dimension < 1) {
    throw new Error(`dimension must be a positive integer, got ${options.dimension}`);
  }
  const persisted = options.persistPath ? await loadPersisted(options.persistPath) : [];
  const main = mainIndexState(options, persisted);
  const indexes = new Map<string, IndexState>(persisted.map((index) => [index.name, index]));
  indexes.set(main.name, main);
  const persister = options.persistPath
    ? createPersister(options.persistPath, () => toPersisted(indexes.values()))
    : undefined;

  const counts: Record<string, number> = {};
  const pendingFaults: { status: number; retryAfterSeconds: number | undefined; after?: number }[] = [];
  const pendingEmbedFaults: { status: number; retryAfterSeconds: number | undefined }[] = [];
  const embedCalls: EmbedCall[] = [];
  let baseUrl = "";

  function handleData(route: Route, url: URL, body: unknown, bytes: number): unknown {
    const index = route.index as IndexState;
    switch (route.key) {
      case "POST /vectors/upsert":
        return upsert(index, body, bytes);
      case "POST /query":
        return query(index, body);
      case "POST /vectors/delete":
        return deleteVectors(index, body);
      case "GET /vectors/fetch":
        return fetchVectors(index, url.searchParams);
      case "GET /vectors/list":
        return listIds(index, url.searchParams);
      default:
        return describeStats(index, body);
    }
  }

  function handleControl(route: Route, body: unknown, res: ServerResponse): void {
    if (route.key === "GET /indexes") {
      sendJson(res, 200, { indexes: [...indexes.values()].map((index) => indexModel(index, baseUrl)) });
    } else if (route.key === "POST /embed") {
      const { answer, call } = answerEmbed(body, (status, message) => new ApiError(status, message));
      embedCalls.push(call);
      sendJson(res, 200, answer);
    } else if (route.key === "POST /indexes") {
      const created = createIndexState(body, indexes);
      indexes.set(created.name, created);
      persister?.schedule();
      sendJson(res, 201, indexModel(created, baseUrl));
    } else {
      const index = indexes.get(route.name ?? "");
      if (!index) throw new ApiError(404, `Resource ${route.name} not found`);
      sendJson(res, 200, indexModel(index, baseUrl));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const method = req.method ?? "GET";
    const route = resolveRoute(method, url.pathname, indexes, main);
    counts[route.key] = (counts[route.key] ?? 0) + 1;
    try {
      if (route.key === "unknown") throw new ApiError(404, `Not found: ${method} ${url.pathname}`);
      if (options.apiKey !== undefined && req.headers["api-key"] !== options.apiKey) {
        throw new ApiError(401, "Invalid API Key");
      }
      const fault =
        route.plane === "data"
          ? nextDataFault(pendingFaults)
          : route.key === "POST /embed"
            ? pendingEmbedFaults.shift()
            : undefined;
      if (fault) {
        const headers: Record<string, string> =
          fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
        sendError(
          res,
          route.plane,
          new ApiError(fault.status, `Injected fault: HTTP ${fault.status}`),
          headers,
        );
        return;
      }
      const { body, bytes } = await readBody(req);
      if (route.plane === "control") {
        handleControl(route, body, res);
        return;
      }
      const result = handleData(route, url, body, bytes);
      if (method === "POST" && route.key !== "POST /query" && route.key !== "POST /describe_index_stats") {
        persister?.schedule();
      }
      sendJson(res, 200, result);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500, String(error));
      sendError(res, route.plane, apiError);
    }
  }

  const server = await listenOnLoopback(
    createServer((req, res) => void handle(req, res)),
    options.port,
  );
  baseUrl = server.origin;

  return {
    url: baseUrl,
    indexName: main.name,
    async close() {
      await server.close();
      await persister?.flush();
    },
    requestCounts: () => ({ ...counts }),
    faults: {
      failNext(count, status, retryAfterSeconds) {
        for (let i = 0; i < count; i++) pendingFaults.push({ status, retryAfterSeconds });
      },
      failNextEmbed(count, status, retryAfterSeconds) {
        for (let i = 0; i < count; i++) pendingEmbedFaults.push({ status, retryAfterSeconds });
      },
      failAfter(successes, status) {
        pendingFaults.push({ status, retryAfterSeconds: undefined, after: successes });
      },
      clear() {
        pendingFaults.length = 0;
        pendingEmbedFaults.length = 0;
      },
      pending: () => pendingFaults.length,
    },
    embedCalls: () => embedCalls.map((call) => ({ ...call })),
    ids: (namespace) => [...(main.namespaces.get(namespaceKey(namespace))?.keys() ?? [])].sort(),
    namespaces: () => [...main.namespaces.keys()].sort(),
  };
}
