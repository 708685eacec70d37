/**
 * In-memory fakes of the ports, typed as the ports, for the fast tier (test/fast): the sync and index
 * use cases run against them in milliseconds. They keep the contracts the adapters keep (the
 * conditional writes on the generation, the lease, rule 6's "an empty list deletes nothing"), so a
 * use-case bug shows here first; the stand-in tiers still prove the adapters themselves.
 */
import type { DataSourceBinding, Dataset, Document, Segment, TenantSettings } from "../../lib/core/model.js";
import type {
  BindingRef,
  Checkpoint,
  CheckpointStore,
  ClaimRequest,
  DocumentStore,
  ExtractedDocument,
  MessagePublisher,
  NotionConnector,
  NotionObjectState,
  NotionSource,
  ParentIndex,
  ParentLink,
  SecretStore,
  VectorIndex,
  VectorMatch,
  VectorRecord,
} from "../../lib/core/ports.js";
import { ConflictError, NotionNotFoundError, PermanentError } from "../../lib/shared/errors.js";
import { matchesFilter } from "../../local/pinecone-filters.js";
import type { Metadata } from "../../local/pinecone-state.js";

const copy = <T>(value: T): T => structuredClone(value);

export function createMemoryStore(): DocumentStore & { documents: Map<string, Document> } {
  const datasets = new Map<string, Dataset>();
  const tenants = new Map<string, TenantSettings>();
  const documents = new Map<string, Document>();
  const segments = new Map<string, Map<string, Segment>>();
  const bindings = new Map<string, DataSourceBinding>();
  const segmentKey = (generation: number, position: number) => `${generation}#${position}`;

  function conditionalUpdate(
    documentId: string,
    condition: (document: Document) => boolean,
    change: (document: Document) => void,
  ): Document {
    const document = documents.get(documentId);
    if (document === undefined || !condition(document)) {
      throw new ConflictError(`document ${documentId} changed meanwhile`);
    }
    const next = copy(document);
    change(next);
    documents.set(documentId, next);
    return copy(next);
  }

  return {
    documents,
    async getDataset(tenantId, datasetId) {
      return copy(datasets.get(datasetKey({ tenantId, datasetId })));
    },
    async ensureDataset(dataset) {
      const key = datasetKey(dataset);
      if (!datasets.has(key)) datasets.set(key, copy(dataset));
      return copy(datasets.get(key) as Dataset);
    },
    async listDatasets(tenantId) {
      return [...datasets.values()]
        .filter((dataset) => tenantId === undefined || dataset.tenantId === tenantId)
        .map((dataset) => copy(dataset) as Dataset);
    },
    async findDatasets(datasetId) {
      return [...datasets.values()]
        .filter((dataset) => dataset.datasetId === datasetId)
        .map(copy) as Dataset[];
    },
    async saveDataset(dataset) {
      const key = datasetKey(dataset);
      if (!datasets.has(key)) throw new PermanentError(`no dataset ${dataset.datasetId}`);
      datasets.set(key, copy(dataset));
    },
    async countDocuments(scope) {
      return (await this.listDocuments(scope)).length;
    },
    async getTenant(tenantId) {
      return copy(tenants.get(tenantId));
    },
    async saveTenant(settings) {
      tenants.set(settings.tenantId, copy(settings));
    },
    async getDocument(documentId) {
      return copy(documents.get(documentId));
    },
    async getDocuments(documentIds) {
      return [...new Set(documentIds)].flatMap((documentId) => {
        const document = documents.get(documentId);
        return document ? [copy(document)] : [];
      });
    },
    async createDocument(document) {
      const existing = documents.get(document.documentId);
      if (existing) return { document: copy(existing), created: false };
      documents.set(document.documentId, copy(document));
      return { document: copy(document), created: true };
    },
    async listDocuments(scope) {
      return [...documents.values()]
        .filter((d) => scope.tenantId === undefined || d.tenantId === scope.tenantId)
        .filter((d) => scope.datasetId === undefined || d.datasetId === scope.datasetId)
        .map(copy);
    },
    async claimDocument(request: ClaimRequest) {
      return conditionalUpdate(
        request.documentId,
        (d) => d.generation === request.expectedGeneration && (!d.lease || d.lease.expiresAt < request.now),
        (d) => {
          d.generation = request.expectedGeneration + 1;
          d.lease = request.lease;
          d.indexingStatus = request.status;
          d.processingStartedAt = request.now;
          for (const field of [
            "error",
            "stoppedAt",
            "parsingCompletedAt",
            "cleaningCompletedAt",
            "splittingCompletedAt",
          ] as const) {
            delete d[field];
          }
          if (request.title !== undefined) d.title = request.title;
          if (request.type !== undefined) d.dataSourceInfo.type = request.type;
        },
      );
    },
    async updateDocument(documentId, generation, patch, options) {
      return conditionalUpdate(
        documentId,
        (d) => d.generation === generation,
        (d) => {
          const record = d as unknown as Record<string, unknown>;
          for (const [name, value] of Object.entries(patch)) {
            if (value === undefined) delete record[name];
            else record[name] = copy(value);
          }
          if (options?.lease) d.lease = options.lease;
          else if (options?.releaseLease) delete d.lease;
        },
      );
    },
    async setPaused(documentId, paused) {
      if (!documents.has(documentId)) return undefined;
      return conditionalUpdate(
        documentId,
        () => true,
        (d) => {
          d.isPaused = paused;
        },
      );
    },
    async listSegments(documentId, options) {
      return [...(segments.get(documentId)?.values() ?? [])]
        .filter((s) => options?.generation === undefined || s.generation === options.generation)
        .sort((a, b) => a.generation - b.generation || a.position - b.position)
        .map(copy);
    },
    async putSegments(list) {
      for (const segment of list) {
        const own = segments.get(segment.documentId) ?? new Map<string, Segment>();
        own.set(segmentKey(segment.generation, segment.position), copy(segment));
        segments.set(segment.documentId, own);
      }
    },
    async deleteSegments(documentId, keys) {
      const own = segments.get(documentId);
      let deleted = 0;
      for (const key of keys) if (own?.delete(segmentKey(key.generation, key.position))) deleted += 1;
      return deleted;
    },
    async deleteDocument(documentId, generation) {
      const document = documents.get(documentId);
      if (document === undefined || document.generation !== generation) {
        throw new ConflictError(`document ${documentId} changed meanwhile`);
      }
      documents.delete(documentId);
    },
    async getBinding(tenantId, workspaceId) {
      return copy(bindings.get(`${tenantId}#${workspaceId}`));
    },
    async putBinding(binding) {
      bindings.set(`${binding.tenantId}#${binding.workspaceId}`, copy(binding));
    },
    async markDisconnected({ tenantId, workspaceId }, mark, readConnectedAt) {
      const binding = bindings.get(`${tenantId}#${workspaceId}`);
      if (!binding || binding.disconnected || binding.connectedAt !== readConnectedAt) return false;
      binding.disconnected = copy(mark);
      return true;
    },
  };
}

/** Vectors by namespace; counts every request, and refuses an empty delete as Pinecone's adapter never sends one. */
export function createMemoryVectorIndex(): VectorIndex & {
  namespaces: Map<string, Map<string, VectorRecord>>;
  requests: number;
} {
  const namespaces = new Map<string, Map<string, VectorRecord>>();
  const space = (namespace: string) => {
    const existing = namespaces.get(namespace);
    if (existing) return existing;
    const created = new Map<string, VectorRecord>();
    namespaces.set(namespace, created);
    return created;
  };
  const index = {
    namespaces,
    requests: 0,
    async upsert(namespace: string, records: VectorRecord[]) {
      index.requests += 1;
      for (const record of records) space(namespace).set(record.id, copy(record));
    },
    async deleteIds(namespace: string, ids: string[]) {
      // Rule 6: an empty list is never sent, so it can never mean "delete everything".
      if (ids.length === 0) return 0;
      index.requests += 1;
      for (const id of ids) space(namespace).delete(id);
      return ids.length;
    },
    async listIds(namespace: string, prefix: string) {
      index.requests += 1;
      return [...space(namespace).keys()].filter((id) => id.startsWith(prefix)).sort();
    },
    async query(
      namespace: string,
      vector: number[],
      options: { topK: number; filter?: Record<string, unknown> },
    ): Promise<VectorMatch[]> {
      index.requests += 1;
      const { filter } = options;
      return (
        [...space(namespace).values()]
          // Filters mean what they mean in Pinecone: the stand-in's evaluator decides.
          .filter(
            (record) => filter === undefined || matchesFilter(record.metadata as unknown as Metadata, filter),
          )
          .map((record) => ({
            id: record.id,
            score: dot(record.values, vector),
            metadata: copy(record.metadata),
          }))
          .sort((a, b) => b.score - a.score)
          .slice(0, options.topK)
      );
    },
  };
  return index;
}

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);
}

/** A queue that keeps what was sent, for the test to hand to the next use case. */
export function createMemoryQueue(): MessagePublisher & { sent: unknown[]; take(): unknown[] } {
  const queue = {
    sent: [] as unknown[],
    async send(body: unknown) {
      queue.sent.push(copy(body));
    },
    take() {
      return queue.sent.splice(0);
    },
  };
  return queue;
}

export function createMemoryCheckpoints(): CheckpointStore {
  const saved = new Map<string, Checkpoint<unknown>>();
  return {
    async load<T>(key: string) {
      return copy(saved.get(key)) as Checkpoint<T> | undefined;
    },
    async save<T>(key: string, checkpoint: Checkpoint<T>) {
      const stored = saved.get(key);
      if (
        stored &&
        (stored.generation > checkpoint.generation ||
          (stored.generation === checkpoint.generation && stored.sequence >= checkpoint.sequence))
      ) {
        throw new ConflictError(`checkpoint ${key} was saved by a later run`);
      }
      saved.set(key, copy(checkpoint));
    },
    async delete(key: string) {
      saved.delete(key);
    },
  };
}

/** The parent index in memory: links by binding and object id. */
export function createMemoryParentIndex(): ParentIndex {
  const links = new Map<string, Map<string, ParentLink>>();
  const of = ({ tenantId, workspaceId }: BindingRef) => {
    const key = `${tenantId}#${workspaceId}`;
    let binding = links.get(key);
    if (binding === undefined) {
      binding = new Map();
      links.set(key, binding);
    }
    return binding;
  };
  return {
    async loadAll(binding) {
      return [...of(binding).values()].map((link) => copy(link) as ParentLink);
    },
    async get(binding, ids) {
      const known = of(binding);
      return new Map(
        ids.flatMap((id) => {
          const link = known.get(id);
          return link ? [[id, copy(link) as ParentLink] as const] : [];
        }),
      );
    },
    async put(binding, put) {
      for (const link of put) of(binding).set(link.id, copy(link) as ParentLink);
    },
    async remove(binding, ids) {
      for (const id of ids) of(binding).delete(id);
    },
  };
}

export const memorySecrets = (secrets: Record<string, string>): SecretStore => ({
  async getSecret(ref) {
    const value = secrets[ref];
    if (value === undefined) throw new PermanentError(`no secret ${ref}`);
    return value;
  },
});

/** A page as the fake Notion holds it: its state and the paragraphs its extraction returns. */
export interface FakePage {
  title: string;
  lastEditedTime: string;
  paragraphs: string[];
  archived?: boolean;
}

/**
 * Notion as the use cases see it (the NotionSource port), for one token. The extraction itself is
 * the Notion adapter's and is tested on the stand-in; here a page is its paragraphs.
 */
export function createFakeNotion(
  token: string,
): NotionConnector & { pages: Map<string, FakePage>; reads: number } {
  const pages = new Map<string, FakePage>();
  const connector = {
    pages,
    reads: 0,
    open(given: string): NotionSource {
      if (given !== token) throw new PermanentError("unknown token");
      const page = (pageId: string) => {
        connector.reads += 1;
        const found = pages.get(pageId);
        if (!found) throw new NotionNotFoundError(`page ${pageId} is not shared with the integration`);
        return found;
      };
      return {
        async getState(pageId): Promise<NotionObjectState> {
          const found = page(pageId);
          return {
            type: "page",
            title: found.title,
            lastEditedTime: found.lastEditedTime,
            archived: found.archived ?? false,
            inTrash: false,
            url: `https://www.notion.so/${pageId.replaceAll("-", "")}`,
          };
        },
        async extract(pageId): Promise<ExtractedDocument> {
          const found = page(pageId);
          const url = `https://www.notion.so/${pageId.replaceAll("-", "")}`;
          return {
            title: found.title,
            url,
            blocks: found.paragraphs.map((text, i) => ({
              blockId: `${pageId}-b${i}`,
              text,
              headingPath: [],
              sourceUrl: `${url}#b${i}`,
            })),
            stats: { blocks: found.paragraphs.length, skipped: 0, requests: 2, skippedTypes: {} },
            children: [],
          };
        },
        async listWorkspacePage() {
          connector.reads += 1;
          return {
            objects: [...pages.entries()].map(([id, p]) => ({
              object: "page" as const,
              id,
              lastEditedTime: p.lastEditedTime,
            })),
            nextCursor: undefined,
            incomplete: false,
          };
        },
        async hasRowsEditedSince() {
          return false;
        },
        async getParentLink(id) {
          page(id);
          return { id, kind: "page" as const, parent: { type: "workspace" as const } };
        },
      };
    },
  };
  return connector;
}

/** Dataset ids are unique within their tenant. */
function datasetKey(dataset: { tenantId: string; datasetId: string }): string {
  return `${dataset.tenantId}#${dataset.datasetId}`;
}
