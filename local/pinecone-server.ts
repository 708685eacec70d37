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
import { deleteVectors, describeStats, fetchVectors, listIds, query, upsert } from "./pinecone-data-plane.js";
import { answerEmbed, type EmbedCall } from "./pinecone-inference.js";
import {
  ApiError,
  asObject,
  badRequest,
  type IndexState,
  MAX_BODY_BYTES,
  type Metric,
  namespaceKey,
  PERSIST_DEBOUNCE_MS,
  type StoredVector,
} from "./pinecone-state.js";

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
