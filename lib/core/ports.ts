/**
 * The ports the domain needs, passed in as one object (LangChain's indexing style).
 * Adapters in lib/adapters implement them with the real SDKs; tests may fake them by hand.
 * Nothing here imports AWS, Notion or Pinecone.
 */

import type { RateSpec } from "../rate-limit/gcra.js";
import type { MetricKey, MetricLabels } from "../shared/metrics.js";
import type { ExtractionCheckpoint, ExtractionControl } from "./extraction-control.js";
import type {
  DataSourceBinding,
  Dataset,
  Document,
  IndexingStatus,
  Lease,
  NotionObjectType,
  Segment,
  TenantSettings,
} from "./model.js";

// ---------------------------------------------------------------- document store (DynamoDB)

/** Every document, a tenant's, or one dataset's (a dataset id is unique within its tenant only). */
export type DocumentScope =
  | { tenantId?: undefined; datasetId?: undefined }
  | { tenantId: string; datasetId?: string };

export interface ClaimRequest {
  documentId: string;
  /** The generation the caller read; the claim fails with ConflictError if it moved. */
  expectedGeneration: number;
  lease: Lease;
  /** ISO now: an unexpired lease held by someone else makes the claim fail. */
  now: string;
  status: IndexingStatus;
  /** Fields refreshed from Notion at claim time. */
  title?: string;
  type?: NotionObjectType;
}

export interface DocumentStore {
  /** A tenant's dataset (ids are unique within a tenant). */
  getDataset(tenantId: string, datasetId: string): Promise<Dataset | undefined>;
  /** A tenant's datasets, or every dataset without a tenant. */
  listDatasets(tenantId?: string): Promise<Dataset[]>;
  /** Every tenant's dataset of this id (dataset ids are unique within a tenant only). */
  findDatasets(datasetId: string): Promise<Dataset[]>;
  /** Creates the dataset unless it exists; returns the stored one. */
  ensureDataset(dataset: Dataset): Promise<Dataset>;
  /** Replaces an existing dataset's record (its settings); PermanentError when there is no such dataset. */
  saveDataset(dataset: Dataset): Promise<void>;
  getDocument(documentId: string): Promise<Document | undefined>;
  /** The documents of these ids that exist, in no particular order (a query's matches: up to 1,000). */
  getDocuments(documentIds: string[]): Promise<Document[]>;
  /** Creates the document unless it exists; returns the stored one and whether it was created. */
  createDocument(document: Document): Promise<{ document: Document; created: boolean }>;
  listDocuments(scope: DocumentScope): Promise<Document[]>;
  /** Conditional update: bumps the generation to expectedGeneration + 1 and takes the lease. */
  claimDocument(request: ClaimRequest): Promise<Document>;
  /**
   * Conditional update of a document at a given generation; ConflictError when the generation moved.
   * `releaseLease` removes the lease in the same write.
   */
  updateDocument(
    documentId: string,
    generation: number,
    patch: Partial<Omit<Document, "documentId" | "generation" | "lease">>,
    options?: { releaseLease?: boolean; lease?: Lease },
  ): Promise<Document>;
  /** Sets or clears the pause flag whatever the generation; undefined when there is no such document. */
  setPaused(documentId: string, paused: boolean): Promise<Document | undefined>;

  /** Segments of a document in position order; all generations unless one is given. */
  listSegments(documentId: string, options?: { generation?: number }): Promise<Segment[]>;
  putSegments(segments: Segment[]): Promise<void>;
  /** Deletes the given segments; an empty list deletes nothing. Returns how many were deleted. */
  deleteSegments(documentId: string, keys: { generation: number; position: number }[]): Promise<number>;
  /** Deletes the document item if it is still at `generation` (ConflictError otherwise). */
  deleteDocument(documentId: string, generation: number): Promise<void>;

  /** How many documents the scope holds (every status; counted, not listed). */
  countDocuments(scope: DocumentScope): Promise<number>;

  /** A tenant's settings (its quotas); undefined when none were ever set. */
  getTenant(tenantId: string): Promise<TenantSettings | undefined>;
  saveTenant(settings: TenantSettings): Promise<void>;

  getBinding(tenantId: string, workspaceId: string): Promise<DataSourceBinding | undefined>;
  putBinding(binding: DataSourceBinding): Promise<void>;
  /**
   * Sets the binding's `disconnected` mark, only if it has none and its `connectedAt` is still the one
   * read (`undefined`: none): a reconnect that landed meanwhile wins. True when it was set.
   */
  markDisconnected(
    ref: BindingRef,
    mark: NonNullable<DataSourceBinding["disconnected"]>,
    readConnectedAt: string | undefined,
  ): Promise<boolean>;
}

// ---------------------------------------------------------------- checkpoints of long runs

/**
 * Where a run that spans invocations stood when it last saved. `generation` and `sequence` fence
 * runs: a save of an older generation, or one not later than the stored save of its generation,
 * is refused.
 */
export interface Checkpoint<T> {
  generation: number;
  sequence: number;
  data: T;
}

/** One checkpoint per key (an index run's document, a sweep's binding): the latest save. */
export interface CheckpointStore {
  load<T>(key: string): Promise<Checkpoint<T> | undefined>;
  /** ConflictError when a newer generation, or a later or equal save of this one, is stored. */
  save<T>(key: string, checkpoint: Checkpoint<T>): Promise<void>;
  delete(key: string): Promise<void>;
}

/** What an index run keeps: the extraction, and the content it belongs to. */
export interface IndexCheckpoint {
  /** The object's state when the extraction began: a later run resumes only the same content. */
  lastEditedTime: string;
  type: NotionObjectType;
  /** When the extraction's first read was made (rule 5 compares against it). */
  readAt: string;
  extraction: ExtractionCheckpoint;
}

// ---------------------------------------------------------------- Notion

export interface NotionObjectState {
  type: NotionObjectType;
  title: string;
  /** Notion's `last_edited_time`, rounded down to the minute by Notion. */
  lastEditedTime: string;
  archived: boolean;
  inTrash: boolean;
  url: string;
  /** Where the object sits in the workspace (a row's parent is its database). */
  parent?: NotionParent;
}

/**
 * Where a Notion object sits: the workspace's top level, a page, a database (for rows: Notion's
 * `data_source_id` parent is kept as its database) or a block (a page in a toggle or a column).
 */
export type NotionParent = { type: "workspace" } | { type: "page" | "database" | "block"; id: string };

/** A row is a page whose parent is a database: never a document of its own. */
export type NotionObjectKind = "page" | "row" | "database" | "block";

/** One object's place in the workspace, as the parent index keeps it. */
export interface ParentLink {
  id: string;
  kind: NotionObjectKind;
  parent: NotionParent;
}

/** One binding's workspace: whose parent index an operation reads. */
export interface BindingRef {
  tenantId: string;
  workspaceId: string;
}

/**
 * Which object sits under which, per binding, kept current by the sweep's listings, the webhook's
 * events and the syncs (docs/scopes.md): deciding "under this root" never needs a walk through Notion.
 */
export interface ParentIndex {
  /** Every link recorded for the binding (a sweep loads them once per invocation). */
  loadAll(binding: BindingRef): Promise<ParentLink[]>;
  /** The recorded links of these ids (those known). */
  get(binding: BindingRef, ids: string[]): Promise<Map<string, ParentLink>>;
  /** Records these links (idempotent). */
  put(binding: BindingRef, links: ParentLink[]): Promise<void>;
  /** Forgets these objects (gone from the workspace). */
  remove(binding: BindingRef, ids: string[]): Promise<void>;
}

/** How the chunker may cut a block: code and tables only between lines; headings start sections. */
export type BlockKind = "text" | "heading" | "code" | "table";

/** One block (or database row) turned into text, with where it came from. */
export interface ExtractedBlock {
  blockId: string;
  text: string;
  /** Titles of the headings this block sits under, outermost first. */
  headingPath: string[];
  /** Link that opens Notion at this block (`…#blockid`) or row page. */
  sourceUrl: string;
  /** Default `text`. */
  kind?: BlockKind;
  /** A database row's page id: no chunk ever holds text of two units. */
  unit?: string;
}

/** A child page or database met on a page: a document of its own, never descended into. */
export interface ChildObject {
  id: string;
  type: NotionObjectType;
  title: string;
}

export interface ExtractedDocument {
  title: string;
  url: string;
  blocks: ExtractedBlock[];
  /** `skippedTypes`: how many blocks of each unsupported type were left out. */
  stats: { blocks: number; skipped: number; requests: number; skippedTypes: Record<string, number> };
  /** Child pages and databases, in page order (what a dataset's scope finds below a page). */
  children: ChildObject[];
  /** A database's data sources. */
  dataSourceIds?: string[];
  /** What filters need of each unit (a database row, by its page id): lib/indexing/vector-metadata.ts. */
  units?: Record<string, UnitFacts>;
}

/** A value Pinecone's metadata filters compare: string, number, boolean or list of strings. */
export type FilterValue = string | number | boolean | string[];

/** A database row's facts for the retrieval API's filters. */
export interface UnitFacts {
  /** The row's own `last_edited_time`. */
  lastEditedTime?: string;
  /** Its properties' values by property name, typed for filters (bounded by the extraction). */
  properties?: Record<string, FilterValue>;
}

export interface NotionSource {
  /**
   * Reads the object's state. With no type, tries a page then a database.
   * Throws NotionAuthError (401), NotionNotFoundError (404 / not shared), RetryableError (429, 5xx, timeout).
   */
  getState(pageId: string, type?: NotionObjectType): Promise<NotionObjectState>;
  /**
   * Reads every block (all pages of children, any depth) or every row; fails rather than truncate.
   * With `control.pause`, it may stop between two reads with an ExtractionSuspended that carries a
   * checkpoint; `control.resume` goes on from one.
   */
  extract(pageId: string, type: NotionObjectType, control?: ExtractionControl): Promise<ExtractedDocument>;
  /** One page of every page and data source shared with the integration, newest edits first (search). */
  listWorkspacePage(cursor?: string): Promise<WorkspacePage>;
  /** Whether any row of the data source was edited on or after `since` (one request). */
  hasRowsEditedSince(dataSourceId: string, since: string): Promise<boolean>;
  /**
   * The object's place in the workspace (one request): how an ancestry the parent index does not
   * know is completed. NotionNotFoundError when the integration cannot see it.
   */
  getParentLink(id: string, kind: "page" | "database" | "block"): Promise<ParentLink>;
}

/** One page (up to 100 objects) of the workspace listing. */
export interface WorkspacePage {
  objects: ListedNotionObject[];
  /** Undefined on the last page. */
  nextCursor: string | undefined;
  /** Notion cut the listing short (`request_status: incomplete`): an object absent from it may exist. */
  incomplete: boolean;
}

/** One object of a workspace listing. */
export interface ListedNotionObject {
  object: "page" | "data_source";
  id: string;
  lastEditedTime: string;
  /** For data sources: the database they belong to. */
  databaseId?: string;
  /** A page's parent; for a data source, its database's parent. Absent when Notion left it out. */
  parent?: NotionParent;
}

/** Whose rate budget a source's requests take their slots from: one per binding. */
export interface NotionAccess {
  budgetKey: string;
  /** The binding's own rate; the connector's default when absent. */
  rate?: RateSpec;
  /** The part (0–1] of that rate this binding's tenant may spend (its `notionBudgetShare` quota). */
  share?: number;
}

/** Opens a Notion source for one integration token (clients are cached per token by adapters). */
export interface NotionConnector {
  open(token: string, access?: NotionAccess): NotionSource;
}

// ---------------------------------------------------------------- vectors (Pinecone)

export interface VectorMetadata {
  tenantId: string;
  datasetId: string;
  documentId: string;
  position: number;
  text: string;
  title: string;
  source: string;
  headingPath: string[];
  /**
   * The chunk's Notion page (a row's own page for rows), its database (rows only), and the edit time
   * of its content in epoch ms: for the retrieval API's filters. Absent on vectors written before
   * VECTOR_METADATA_VERSION 2.
   */
  pageId?: string;
  databaseId?: string;
  lastEditedTime?: number;
  /** A row's property values, `prop:<name>` (lib/indexing/vector-metadata.ts bounds them). */
  [property: `prop:${string}`]: FilterValue;
}

export interface VectorRecord {
  id: string;
  values: number[];
  metadata: VectorMetadata;
}

export interface VectorMatch {
  id: string;
  score: number;
  metadata: VectorMetadata | undefined;
}

/** One run's requests to the vector index, counted by the adapter into the meter a call is given. */
export interface RequestMeter {
  pineconeReads: number;
  pineconeWrites: number;
}

/** Every method counts the requests it sends into `meter`, when given one (the run's cost figures). */
export interface VectorIndex {
  /** Upserts in batches within Pinecone's request limits. */
  upsert(namespace: string, records: VectorRecord[], meter?: RequestMeter): Promise<void>;
  /** Deletes these ids; an empty list makes no call at all (rule 6). Returns how many ids were sent. */
  deleteIds(namespace: string, ids: string[], meter?: RequestMeter): Promise<number>;
  /** Every id with this prefix, across all pages of the listing. */
  listIds(namespace: string, prefix: string, meter?: RequestMeter): Promise<string[]>;
  query(
    namespace: string,
    vector: number[],
    /** `filter` is Pinecone's metadata filter language ($eq, $in, $and, …). */
    options: { topK: number; filter?: Record<string, unknown> },
    meter?: RequestMeter,
  ): Promise<VectorMatch[]>;
}

// ---------------------------------------------------------------- queues, embedder, clock, secrets

export interface MessagePublisher {
  send(body: unknown, options?: { delaySeconds?: number }): Promise<void>;
}

/** Keeps a message that can never succeed, with the reason, for an operator to inspect. */
export interface DeadLetterSink {
  deadLetter(body: string, reason: string, context: { messageId: string; source: string }): Promise<void>;
}

export interface EmbedResult {
  vectors: number[][];
  /** Texts sent to the model. */
  embedded: number;
  /** Texts answered from the cache. */
  cached: number;
  /** Tokens billed by the model for the embedded texts. */
  tokens: number;
  /** HTTP requests sent to the provider, when the embedder counts them (lib/embedding/usage.ts). */
  requests?: number;
  /** Requests the embedding cache made, when there is one. */
  cacheRequests?: number;
}

export interface Embedder {
  readonly provider: string;
  readonly model: string;
  readonly dimension: number;
  embedDocuments(texts: string[], options?: EmbedOptions): Promise<EmbedResult>;
  embedQuery(text: string): Promise<number[]>;
}

export interface EmbedOptions {
  /**
   * Whose embedding cache entries these texts may use and fill (a tenant's): a tenant never learns
   * from a cache hit that another embedded the same text. Absent: the unscoped entries.
   */
  cacheScope?: string;
}

export interface Clock {
  now(): Date;
}

export interface SecretStore {
  /**
   * Resolves a secret reference; throws PermanentError when it does not exist. `freshAfter` (ISO
   * time): a cached value read before it is read again (a binding reconnected since).
   */
  getSecret(ref: string, options?: { freshAfter?: string }): Promise<string>;
}

/** Structured logger (Powertools' Logger fits it). Secrets must never be passed in. */
export interface Log {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/**
 * Figures for dashboards and alarms (lib/shared/metrics.ts names them). The functions publish them
 * as CloudWatch embedded metric format; the CLI and tests pass none, or a memory one.
 */
export interface MetricsSink {
  record(metric: MetricKey, value: number, labels?: MetricLabels, properties?: { binding?: string }): void;
}

/** One run's or one invocation's usage, added to its tenant's day (what `status --totals` reads). */
export interface UsageEntry {
  tenantId: string;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** What the usage is charged to: a dataset's index runs, or a workspace's checks (sync, sweep, webhook). */
  subject: { kind: "dataset"; datasetId: string } | { kind: "workspace"; workspaceId: string };
  counts: UsageCounts;
}

export interface UsageCounts {
  notionRequests: number;
  tokens: number;
  embeddingRequests: number;
  pineconeReadRequests: number;
  pineconeWriteRequests: number;
  cacheRequests: number;
  runs: number;
  /** The estimate at the prices of the day it was recorded (lib/cost). */
  estimatedUsd: number;
}

export interface UsageLedger {
  /** Adds to the totals of the entry's tenant, day and subject (atomic counters). */
  add(entry: UsageEntry): Promise<void>;
  /** A tenant's records of the days starting with `dayPrefix` (`2026-12` a month, `2026-12-04` a day). */
  list(tenantId: string, dayPrefix: string): Promise<UsageEntry[]>;
}

// ---------------------------------------------------------------- webhooks

/** One registered document of a Notion page or database (the webhook's page index). */
export interface PageIndexEntry {
  tenantId: string;
  workspaceId: string;
  pageId: string;
  datasetId: string;
  documentId: string;
}

/** What a delivery of a webhook event turned out to be (see WebhookStore.recordEventAttempt). */
export type EventAttemptOutcome = "new" | "duplicate" | "replay";

/** The webhook's own state in the table: page index, debounce markers, events seen. */
export interface WebhookStore {
  /** Documents registered for this Notion page or database id in the tenant's workspace. */
  findDocumentsByPage(tenantId: string, workspaceId: string, pageId: string): Promise<PageIndexEntry[]>;
  /** Writes the page-index entries of these documents (idempotent); returns how many were written. */
  indexDocumentPages(documents: Document[]): Promise<number>;
  /**
   * Sets the document's "sync pending until `until`" marker unless an unexpired one exists.
   * True when this call set it: only that caller enqueues the (delayed) sync.
   */
  claimPendingSync(documentId: string, now: string, until: string): Promise<boolean>;
  /**
   * Records a delivery attempt of an event. `new`: not handled before; `duplicate`: a later attempt
   * of an event already handled; `replay`: this attempt (or a later one) was seen before.
   */
  recordEventAttempt(
    binding: { tenantId: string; workspaceId: string },
    eventId: string,
    attempt: number,
    seenAt: string,
  ): Promise<EventAttemptOutcome>;
  /** Marks the event handled, so later attempts are duplicates. */
  markEventHandled(binding: { tenantId: string; workspaceId: string }, eventId: string): Promise<void>;
}

/** Each binding's webhook verification token (a secret: never logged). */
export interface WebhookTokenStore {
  /** The token, or undefined before the handshake stored one. */
  getToken(tenantId: string, workspaceId: string): Promise<string | undefined>;
  /** Stores the token only when none is stored yet; false when one was (it is left as it is). */
  createToken(tenantId: string, workspaceId: string, token: string): Promise<boolean>;
  /** Replaces the stored token (a reset the operator armed). */
  replaceToken(tenantId: string, workspaceId: string, token: string): Promise<void>;
}

// ---------------------------------------------------------------- query API keys

/** A query API key as stored: its secret only as a hash (lib/retrieval/api-keys.ts). */
export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  /** The datasets the key reaches; all of the tenant's when absent. */
  datasetIds?: string[];
  name?: string;
  /**
   * The key may also start a Notion OAuth flow for its tenant (`apikey create --connect-notion`):
   * a query key alone may not attach workspaces to its tenant.
   */
  mayConnectNotion?: boolean;
  /** sha256 of the key's secret part, hex. */
  secretHash: string;
  createdAt: string;
  revokedAt?: string;
}

export interface ApiKeyStore {
  get(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Creates the key; ConflictError when its id exists. */
  create(record: ApiKeyRecord): Promise<void>;
  /** Every key, or one tenant's, revoked ones included. */
  list(tenantId?: string): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked (idempotent); false when there is no such key. */
  revoke(keyId: string, at: string): Promise<boolean>;
}
