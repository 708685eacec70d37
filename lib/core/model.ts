/**
 * The domain model, after the system this replaces (docs/architecture.md, Data). Plain data: no SDK types here.
 */

/** `waiting → parsing → cleaning → splitting → indexing → completed`, plus the end states. */
export type IndexingStatus =
  | "waiting"
  | "parsing"
  | "cleaning"
  | "splitting"
  | "indexing"
  | "completed"
  | "error"
  | "paused"
  | "archived";

/** Statuses in which a run holds the document's lease. */
export const WORKING_STATUSES: readonly IndexingStatus[] = ["parsing", "cleaning", "splitting", "indexing"];

export interface ProcessRule {
  mode: "automatic" | "custom";
  /** Largest chunk, in tokenizer tokens. */
  maxTokens: number;
  /** Tokens repeated from the end of one chunk at the start of the next. */
  overlap: number;
  /** `custom` only: the first separator tried before paragraph → sentence → word. */
  separator?: string;
  removeExtraSpaces: boolean;
  removeUrlsEmails: boolean;
  /** Hierarchical doc form: parents are paragraph-sized (`maxTokens`) or whole documents. Default paragraph. */
  parentMode?: ParentMode;
  /** Hierarchical doc form: the largest child chunk (the ones embedded). Default 200. */
  childMaxTokens?: number;
}

export type ParentMode = "paragraph" | "document";

/** `text`: every chunk is embedded. `hierarchical`: parent chunks give context, their children are embedded. */
export type DocForm = "text" | "hierarchical";

export const AUTOMATIC_RULE: ProcessRule = {
  mode: "automatic",
  maxTokens: 500,
  overlap: 50,
  removeExtraSpaces: true,
  removeUrlsEmails: false,
};

/** The tenant of a command or message that names none: a single-tenant stack never types one. */
export const DEFAULT_TENANT = "default";

export interface Dataset {
  tenantId: string;
  datasetId: string;
  name: string;
  processRule: ProcessRule;
  docForm: DocForm;
  embeddingModel: string;
  /** Pinecone namespace: one per tenant and dataset, so a query can never cross tenants. */
  vectorNamespace: string;
  createdAt: string;
  /** Which part of Notion the dataset follows (lib/scopes); absent: `pages`, its explicit list only. */
  scope?: DatasetScope;
  /**
   * Paused datasets take no new work: discovery registers nothing, syncs stop before claiming, and
   * resuming queues what was left (`dataset pause|resume`).
   */
  paused?: boolean;
}

/**
 * - `pages`: the documents registered one by one (`add`).
 * - `subtree`: also every page and database under the roots, at any depth.
 * - `workspace`: also everything the integration can see.
 * Rows are never documents of their own: their database is.
 */
export type ScopeKind = "pages" | "subtree" | "workspace";

export interface DatasetScope {
  kind: ScopeKind;
  /** The binding whose workspace is followed. */
  workspaceId: string;
  /** `subtree`: the root pages and databases (dashed ids); themselves included. */
  roots: string[];
  /** Registration stops at this many documents in the dataset (explicit ones included). */
  maxDocuments: number;
  setAt: string;
  /** A full listing is owed (the scope is new or wider): set by `dataset set`, cleared by the sweep. */
  backfillPending?: boolean;
  /** Documents of the dataset at the last sweep of its binding (what the webhook checks the limit on). */
  documents?: number;
  /**
   * Set when the scope holds more than it may: how many it would hold, when that was seen, and what
   * limited it (`dataset`: its maxDocuments; `tenant-quota`: the tenant's maxDocuments quota).
   */
  overLimit?: { wanted: number; at: string; by?: "dataset" | "tenant-quota" };
}

export const DEFAULT_MAX_DOCUMENTS = 50_000;

export type NotionObjectType = "page" | "database";

export interface NotionDataSourceInfo {
  workspaceId: string;
  /** Notion page or database id (dashed UUID form). */
  pageId: string;
  /** Unknown until the first sync has looked the id up. */
  type?: NotionObjectType;
  /** `last_edited_time` of the content that is in the index; set only when indexing completes. */
  lastEditedTime?: string;
  /** When that content was read from Notion (to catch edits made in the same minute, rule 5). */
  contentReadAt?: string;
  /** sha256 of the extracted text that is in the index. */
  contentHash?: string;
  /** The dataset's process rule and doc form the indexed content was split with (see ruleFingerprint). */
  ruleFingerprint?: string;
  /** A database's data sources when it was last indexed: the sweep asks them for edited rows. */
  dataSourceIds?: string[];
  /** VECTOR_METADATA_VERSION of the indexed vectors; absent for vectors written before version 2. */
  metadataVersion?: number;
}

/**
 * What the vectors' metadata holds, by version: 1 the text, title, heading path and source; 2 also
 * pageId, databaseId, lastEditedTime and row properties (the retrieval API's filters).
 * `dataset reindex` re-indexes documents whose vectors are older.
 */
export const VECTOR_METADATA_VERSION = 2;

/** A run's counts, shown by `status` as `lastRun`. */
export interface RunCounts {
  segmentsWritten: number;
  vectorsDeleted: number;
  segmentsDeleted: number;
  tokens: number;
  embedded: number;
  cached: number;
  /** The embedder the run used (what its tokens are priced at). Absent on runs recorded before. */
  embeddingProvider?: string;
  embeddingModel?: string;
  /** Requests sent to the embedding provider, retries included. */
  embeddingRequests?: number;
  /** DynamoDB requests the embedding cache made. */
  cacheRequests?: number;
  /** Notion API requests of the extraction. */
  notionRequests?: number;
  /** Pinecone list / query requests, and upsert / delete requests. */
  pineconeReadRequests?: number;
  pineconeWriteRequests?: number;
  /**
   * Blocks left out of the index, by type: types Notion answers as `unsupported` or this version does
   * not read, and synced blocks whose original the integration cannot see. The rest of the page is
   * indexed; these say what is missing from it.
   */
  gaps?: Record<string, number>;
}

export interface Lease {
  /** Which run holds it (the generation it claimed, and a random run id). */
  owner: string;
  /** ISO time after which another run may take the document over. */
  expiresAt: string;
}

export interface Document {
  tenantId: string;
  datasetId: string;
  documentId: string;
  title: string;
  dataSourceType: "notion_import";
  dataSourceInfo: NotionDataSourceInfo;
  indexingStatus: IndexingStatus;
  /** Bumped by every claim; segments and vectors carry it (rule 4). 0 = never claimed. */
  generation: number;
  /**
   * The generation a query answers from: the newest whose vectors and segments were all written.
   * While a reindex runs it stays on the old one, so no reader sees two generations of a document.
   * Absent on documents last indexed before it existed (lib/retrieval/serving.ts says what then).
   */
  servingGeneration?: number;
  lease?: Lease;
  createdAt: string;
  processingStartedAt?: string;
  parsingCompletedAt?: string;
  cleaningCompletedAt?: string;
  splittingCompletedAt?: string;
  completedAt?: string;
  stoppedAt?: string;
  error?: string;
  isPaused: boolean;
  wordCount: number;
  tokens: number;
  segmentCount: number;
  indexingLatencyMs?: number;
  enabled: boolean;
  archived: boolean;
  lastRun?: RunCounts;
  /**
   * `scope`: registered by the dataset's scope (lib/scopes), and removed when its page leaves it.
   * Absent: registered explicitly (`add`), kept whatever the scope.
   */
  registeredBy?: "scope";
}

export interface Segment {
  datasetId: string;
  documentId: string;
  generation: number;
  position: number;
  content: string;
  wordCount: number;
  tokens: number;
  /** Equal to the vector id: `{documentId}#{generation}#{position}`. */
  indexNodeId: string;
  /** sha256 of `content`. */
  indexNodeHash: string;
  /** Link to the chunk's place in Notion. */
  source: string;
  headingPath: string[];
  status: "completed";
  /** Hierarchical doc form: which parent chunk of this generation the segment (a child) belongs to. */
  parentIndex?: number;
  /** The parent's text, stored once: on the first child of each parent. */
  parentContent?: string;
  parentTokens?: number;
}

export interface DataSourceBinding {
  tenantId: string;
  provider: "notion";
  workspaceId: string;
  /**
   * Where the access token lives (`secretsmanager:<name or ARN>`): never the token itself. The secret
   * holds the token, or `{"accessToken","refreshToken"}` JSON after an OAuth grant with a refresh token.
   */
  tokenRef: string;
  disabled: boolean;
  /**
   * This binding's Notion rate budget (requests a second on average, and the burst), when it is not
   * the deployment's default: e.g. a workspace whose plan allows more, or a share kept for others.
   */
  notionRate?: { requestsPerSecond: number; burst: number };
  /**
   * Notion's id (a UUID) of the workspace this binding's webhook events must come from. Set when the
   * binding's own workspaceId is not that UUID: pinned by the first verified webhook event.
   */
  notionWorkspaceId?: string;
  /**
   * Until this ISO time, a webhook handshake may replace the binding's stored verification token
   * (armed by `webhook reset`); otherwise a handshake can only store the first one.
   */
  webhookTokenResetUntil?: string;
  /**
   * The secret last segment of the binding's webhook URL (lib/webhooks/path-secret.ts): created by
   * `webhook url`, rotated by `webhook reset`. Without it the binding has no webhook URL.
   */
  webhookPathSecret?: string;
  /** What the sweep knows of this workspace (lib/sync/sweep.ts). */
  sweep?: BindingSweepInfo;
  /**
   * Datasets whose scope follows this workspace (lib/scopes/set-scope.ts keeps it): the webhook
   * learns them from the binding it reads anyway, with no query of its own.
   */
  followers?: string[];
  /** The workspace's name in Notion, as its OAuth grant gave it. */
  workspaceName?: string;
  /** The Notion bot (the integration's user in that workspace) the OAuth grant created. */
  botId?: string;
  /** How the token was given: Notion's OAuth flow (functions/oauth) or `connect` with a token. */
  connectedBy?: "oauth" | "token";
  /**
   * When the binding was last connected (ISO): a cached copy of its token read before this is read
   * again (lib/core/notion-access.ts), so a reconnect takes effect at once.
   */
  connectedAt?: string;
  /**
   * Set when Notion refused the binding's token (401): its syncs fail fast with "reconnect Notion"
   * and nothing is deleted. Cleared by any successful connect (OAuth or `connect`).
   */
  disconnected?: { at: string; reason: string };
}

/** A tenant's quotas (`tenant set`); absent: no limit beyond the stack's own. */
export interface TenantQuotas {
  /** Documents the tenant may hold in all its datasets. */
  maxDocuments?: number;
  /** Tokens its index runs may send to the embedding model in a UTC day (cache hits are free). */
  embeddingTokensPerDay?: number;
  /** The part (0–1] of each of its bindings' Notion rate budget it may spend. */
  notionBudgetShare?: number;
}

export interface TenantSettings {
  tenantId: string;
  quotas: TenantQuotas;
  updatedAt: string;
}

export interface BindingSweepInfo {
  /** Objects the last full listing saw. */
  listedObjects?: number;
  lastFullListingAt?: string;
  /** An incremental listing stops at objects edited before this (the last sweep's start, less a margin). */
  watermark?: string;
}

/** A vector id names its document, generation and position, so a prefix lists a document's vectors. */
export function vectorId(documentId: string, generation: number, position: number): string {
  return `${documentId}#${generation}#${position}`;
}

/** The prefix shared by every vector of a document, whatever the generation. */
export function documentVectorPrefix(documentId: string): string {
  return `${documentId}#`;
}

/** The generation encoded in a vector id, or undefined when the id is not one of ours. */
export function generationOfVectorId(id: string): number | undefined {
  const parts = id.split("#");
  if (parts.length !== 3) return undefined;
  const generation = Number(parts[1]);
  return Number.isInteger(generation) ? generation : undefined;
}

export function namespaceFor(tenantId: string, datasetId: string): string {
  return `${tenantId}.${datasetId}`;
}
