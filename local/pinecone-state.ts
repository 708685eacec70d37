/**
 * The Pinecone stand-in's indexes and namespaces, its documented limits, and the validation of what a
 * request may write.
 */

export type Metric = "cosine" | "dotproduct" | "euclidean";

// ---------------------------------------------------------------- limits (Pinecone's documented ones)

export const MAX_UPSERT_VECTORS = 1000;
export const MAX_UPSERT_BYTES = 2 * 1024 * 1024;
export const MAX_METADATA_BYTES = 40 * 1024;
export const MAX_DELETE_IDS = 1000;
export const MAX_FETCH_IDS = 1000;
export const MAX_TOP_K = 10_000;
/** Pinecone caps topK lower when values or metadata are returned. */
export const MAX_TOP_K_WITH_DATA = 1000;
export const MAX_LIST_LIMIT = 100;
export const MAX_ID_LENGTH = 512;
/** Above this the body is not even read (a real service would cut the connection too). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
export const PERSIST_DEBOUNCE_MS = 100;
export const DEFAULT_NAMESPACE_WIRE = "__default__";

// ---------------------------------------------------------------- state

export type MetadataValue = string | number | boolean | string[];
export type Metadata = Record<string, MetadataValue>;

export interface StoredVector {
  id: string;
  values: number[];
  metadata?: Metadata;
}

export interface IndexState {
  name: string;
  dimension: number;
  metric: Metric;
  /** Path prefix of the index's host; "" for the main index served at the root. */
  pathPrefix: string;
  namespaces: Map<string, Map<string, StoredVector>>;
}

/** A request that Pinecone would refuse: answered with `status` and a Pinecone-shaped body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, message);
}

/** Internal key of a namespace: the client's `__default__` and "" are the same namespace. */
export function namespaceKey(wire: unknown): string {
  if (wire === undefined || wire === null || wire === DEFAULT_NAMESPACE_WIRE) return "";
  if (typeof wire !== "string") throw badRequest("namespace must be a string");
  return wire;
}

export function namespaceWire(key: string): string {
  return key === "" ? DEFAULT_NAMESPACE_WIRE : key;
}

export function namespaceOf(index: IndexState, key: string): Map<string, StoredVector> | undefined {
  return index.namespaces.get(key);
}

export function namespaceForWrite(index: IndexState, key: string): Map<string, StoredVector> {
  let vectors = index.namespaces.get(key);
  if (!vectors) {
    vectors = new Map();
    index.namespaces.set(key, vectors);
  }
  return vectors;
}

/** Pinecone drops a namespace once it holds no vectors. */
export function dropIfEmpty(index: IndexState, key: string): void {
  if (index.namespaces.get(key)?.size === 0) index.namespaces.delete(key);
}

// ---------------------------------------------------------------- request validation

export function asObject(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  return body as Record<string, unknown>;
}

export function validateId(id: unknown): string {
  if (typeof id !== "string" || id.length === 0)
    throw badRequest("Every vector must have a non-empty string id");
  if (id.length > MAX_ID_LENGTH)
    throw badRequest(`Vector id exceeds ${MAX_ID_LENGTH} characters: ${id.slice(0, 40)}…`);
  return id;
}

export function validateValues(values: unknown, index: IndexState, what: string): number[] {
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

export function isMetadataValue(value: unknown): value is MetadataValue {
  if (Array.isArray(value)) return value.every((item) => typeof item === "string");
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

export function validateMetadata(metadata: unknown, id: string): Metadata | undefined {
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

export function validateVector(raw: unknown, index: IndexState): StoredVector {
  const vector = asObject(raw, "Each vector");
  const id = validateId(vector.id);
  const values = validateValues(vector.values, index, `Vector ${id}`);
  const metadata = validateMetadata(vector.metadata, id);
  return metadata ? { id, values, metadata } : { id, values };
}
