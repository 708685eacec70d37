/** The Pinecone stand-in's data plane: upsert, query, delete, fetch, list and stats, within Pinecone's limits. */
import { matchesFilter, parseFilter } from "./pinecone-filters.js";
import {
  asObject,
  badRequest,
  dropIfEmpty,
  type IndexState,
  MAX_DELETE_IDS,
  MAX_FETCH_IDS,
  MAX_LIST_LIMIT,
  MAX_TOP_K,
  MAX_TOP_K_WITH_DATA,
  MAX_UPSERT_BYTES,
  MAX_UPSERT_VECTORS,
  type Metric,
  namespaceForWrite,
  namespaceKey,
  namespaceOf,
  namespaceWire,
  type StoredVector,
  validateId,
  validateValues,
  validateVector,
} from "./pinecone-state.js";

// ---------------------------------------------------------------- scoring

export function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

export function score(metric: Metric, query: number[], stored: number[]): number {
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
export function byBestScore(metric: Metric) {
  return (a: { id: string; score: number }, b: { id: string; score: number }): number => {
    const diff = metric === "euclidean" ? a.score - b.score : b.score - a.score;
    return diff !== 0 ? diff : a.id < b.id ? -1 : 1;
  };
}

// ---------------------------------------------------------------- data-plane handlers

export function upsert(index: IndexState, body: unknown, bodyBytes: number): unknown {
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

export function queryVector(
  index: IndexState,
  request: Record<string, unknown>,
  key: string,
): number[] | undefined {
  if (request.queries !== undefined)
    throw badRequest("queries is no longer supported: send one vector or id");
  const hasVector = request.vector !== undefined;
  const hasId = request.id !== undefined;
  if (hasVector === hasId) throw badRequest("Exactly one of vector or id must be provided");
  if (hasVector) return validateValues(request.vector, index, "Query vector");
  return namespaceOf(index, key)?.get(validateId(request.id))?.values;
}

export function validateTopK(request: Record<string, unknown>): number {
  const topK = request.topK;
  if (typeof topK !== "number" || !Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) {
    throw badRequest(`topK must be an integer between 1 and ${MAX_TOP_K}`);
  }
  if ((request.includeValues === true || request.includeMetadata === true) && topK > MAX_TOP_K_WITH_DATA) {
    throw badRequest(`topK must be at most ${MAX_TOP_K_WITH_DATA} when values or metadata are included`);
  }
  return topK;
}

export function query(index: IndexState, body: unknown): unknown {
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

export function deleteVectors(index: IndexState, body: unknown): unknown {
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

export function fetchVectors(index: IndexState, params: URLSearchParams): unknown {
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

export function encodeToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString("base64url");
}

export function decodeToken(token: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    const after = (decoded as { after?: unknown }).after;
    if (typeof after === "string") return after;
  } catch {
    // falls through to the error below
  }
  throw badRequest("Invalid pagination token");
}

export function listLimit(raw: string | null): number {
  if (raw === null) return MAX_LIST_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw badRequest(`limit must be an integer between 1 and ${MAX_LIST_LIMIT}`);
  }
  return limit;
}

export function listIds(index: IndexState, params: URLSearchParams): unknown {
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

export function describeStats(index: IndexState, body: unknown): unknown {
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
