/**
 * One DynamoDB table holds every entity (single-table design). Key layout:
 *
 * | entity    | pk                     | sk                         | gsi1pk                        | gsi1sk     |
 * |-----------|------------------------|----------------------------|-------------------------------|------------|
 * | Dataset   | DATASET#{tenant}#{id}  | DATASET                    | TENANT#{tenantId}#DATASETS    | datasetId  |
 * | Document  | DOC#{documentId}       | DOC                        | DATASET#{tenant}#{id}#DOCS    | documentId |
 * | Segment   | DOC#{documentId}       | SEG#{generation}#{position}|                               |            |
 * | Binding   | TENANT#{tenantId}      | BINDING#notion#{workspace} |                               |            |
 * | Tenant    | TENANT#{tenantId}      | SETTINGS                   |                               |            |
 * | (registry)| DATASETS               | {tenantId}#{datasetId}     |                               |            |
 * | Embedding | EMBED#{sha256(tenant,text)} | {provider}#{model}#{dim} |                               |            |
 * | Page index| PAGE#{tenant}#{ws}#{page} | DOC#{documentId}        |                               |            |
 * | Parent    | PARENTS#{tenant}#{ws}  | {objectId}                 |                               |            |
 * | Pending   | DOC#{documentId}       | WEBHOOK#PENDING            |                               |            |
 * | Event seen| WEBHOOK#{tenant}#{ws}  | EVENT#{eventId}            |                               |            |
 * | Budget    | BUDGET#{key}           | BUDGET                     |                               |            |
 * | API key   | APIKEY#{keyId}         | APIKEY                     | APIKEYS                       | {tenant}#{keyId} |
 * | Checkpoint| CHECKPOINT#{key}       | HEADER                     |                               |            |
 * | Usage     | USAGE#{tenantId}       | {day}#dataset#{datasetId} or {day}#workspace#{ws} |        |            |
 * | (its data)| CHECKPOINT#{key}       | PART#{saveId}#{part}       |                               |            |
 * | Migration | MIGRATION              | v{version}                 |                               |            |
 * | OAuth state| OAUTH#{nonce}         | STATE                      |                               |            |
 *
 * The page index maps a Notion page or database id to the documents registered for it (webhooks):
 * lookup items rather than a new GSI, because the local DynamoDB stand-in cannot add an index to a
 * table that already exists (UpdateTable only changes throughput there), and lookup items need no
 * table change in AWS either. A document's workspace and page never change, so an entry is written
 * once (createDocument, and `webhook url` / the local stack for documents registered before).
 *
 * The parent index (lib/scopes) keeps one binding's links in one partition: a sweep reads them all with
 * one paged query, and a webhook or sync reads one link by its key.
 *
 * A document and its segments share a partition, so one query lists a document's segments by
 * generation (zero-padded, so they sort numerically).
 *
 * A dataset id is unique within its tenant (schema version 2). Version 1 keyed datasets by id alone
 * (`DATASET#{datasetId}`, `DATASET#{datasetId}#DOCS`, registry sort key `{datasetId}`): `legacyKeys`
 * name them for the store's fallbacks and for `migrate` (lib/migrations, docs/upgrades.md).
 */
/** The shape version of the items this code writes; an item without `schemaVersion` is version 1. */
export const SCHEMA_VERSION = 2;

export const GSI1 = "gsi1";

export const keys = {
  dataset: (tenantId: string, datasetId: string) => ({
    pk: `DATASET#${tenantId}#${datasetId}`,
    sk: "DATASET",
  }),
  datasetsOfTenant: (tenantId: string) => `TENANT#${tenantId}#DATASETS`,
  /** One small item per dataset under one key, so "every document" never scans the table. */
  datasetRegistry: (tenantId: string, datasetId: string) => ({
    pk: "DATASETS",
    sk: `${tenantId}#${datasetId}`,
  }),
  datasetRegistryPartition: "DATASETS",
  document: (documentId: string) => ({ pk: `DOC#${documentId}`, sk: "DOC" }),
  documentsOfDataset: (tenantId: string, datasetId: string) => `DATASET#${tenantId}#${datasetId}#DOCS`,
  segmentPrefix: (generation?: number) => (generation === undefined ? "SEG#" : `SEG#${pad(generation, 10)}#`),
  segment: (documentId: string, generation: number, position: number) => ({
    pk: `DOC#${documentId}`,
    sk: `SEG#${pad(generation, 10)}#${pad(position, 6)}`,
  }),
  binding: (tenantId: string, workspaceId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `BINDING#notion#${workspaceId}`,
  }),
  /** A tenant's settings (its quotas), beside its bindings. */
  tenantSettings: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: "SETTINGS" }),
  /** A Notion page or database → its documents, within one tenant's workspace. */
  pageIndex: (tenantId: string, workspaceId: string, pageId: string) =>
    `PAGE#${tenantId}#${workspaceId}#${pageId}`,
  pageIndexEntry: (tenantId: string, workspaceId: string, pageId: string, documentId: string) => ({
    pk: `PAGE#${tenantId}#${workspaceId}#${pageId}`,
    sk: `DOC#${documentId}`,
  }),
  /** Where a Notion object sits (its parent), within one tenant's workspace. */
  parentLinks: (tenantId: string, workspaceId: string) => `PARENTS#${tenantId}#${workspaceId}`,
  parentLink: (tenantId: string, workspaceId: string, objectId: string) => ({
    pk: `PARENTS#${tenantId}#${workspaceId}`,
    sk: objectId,
  }),
  /** The webhook's debounce marker, in the document's partition. */
  pendingSync: (documentId: string) => ({ pk: `DOC#${documentId}`, sk: "WEBHOOK#PENDING" }),
  /** A webhook event seen for a binding (dedupe and replay detection). */
  webhookEvent: (tenantId: string, workspaceId: string, eventId: string) => ({
    pk: `WEBHOOK#${tenantId}#${workspaceId}`,
    sk: `EVENT#${eventId}`,
  }),
  /** A checkpoint (an index run's document, a sweep's binding): its header; the data is in parts. */
  checkpoint: (key: string) => ({ pk: `CHECKPOINT#${key}`, sk: "HEADER" }),
  /** The parts of one save (its own random id: two runs racing to the same save never share parts). */
  checkpointPartPrefix: (saveId?: string) => (saveId === undefined ? "PART#" : `PART#${saveId}#`),
  checkpointPart: (key: string, saveId: string, part: number) => ({
    pk: `CHECKPOINT#${key}`,
    sk: `PART#${saveId}#${pad(part, 4)}`,
  }),
  /** A tenant's usage of one day, charged to a dataset or a workspace: a day or a month is one query. */
  usage: (tenantId: string) => `USAGE#${tenantId}`,
  usageEntry: (tenantId: string, day: string, subject: string) => ({
    pk: `USAGE#${tenantId}`,
    sk: `${day}#${subject}`,
  }),
  /** A rate budget's schedule (one per Notion binding: lib/adapters/aws/dynamodb-rate-budget.ts). */
  rateBudget: (key: string) => ({ pk: `BUDGET#${key}`, sk: "BUDGET" }),
  /** A query API key (its secret only as a hash); gsi1 lists them, a tenant's with a key prefix. */
  apiKey: (keyId: string) => ({ pk: `APIKEY#${keyId}`, sk: "APIKEY" }),
  apiKeys: "APIKEYS",
  apiKeySortKey: (tenantId: string, keyId?: string) => `${tenantId}#${keyId ?? ""}`,
  /** A schema migration's progress (`migrate`): where its scan stands, and when it finished. */
  migration: (version: number) => ({ pk: "MIGRATION", sk: `v${version}` }),
  /** Cached vector of one text for one model: the hash leads, so entries spread over partitions. */
  embedding: (hash: string, space: { provider: string; model: string; dimension: number }) => ({
    pk: `EMBED#${hash}`,
    sk: `${space.provider}#${space.model}#${space.dimension}`,
  }),
  /** A Notion OAuth flow's state, until its callback consumes it (single use; expires by TTL). */
  oauthState: (nonce: string) => ({ pk: `OAUTH#${nonce}`, sk: "STATE" }),
};

/** Schema version 1's dataset keys (ids were global then): read as fallbacks, rewritten by `migrate`. */
export const legacyKeys = {
  dataset: (datasetId: string) => ({ pk: `DATASET#${datasetId}`, sk: "DATASET" }),
  datasetRegistry: (datasetId: string) => ({ pk: "DATASETS", sk: datasetId }),
  documentsOfDataset: (datasetId: string) => `DATASET#${datasetId}#DOCS`,
};

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** The table's definition, shared by the local stack (CreateTable) and the CDK stack. */
export const tableDefinition = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Epoch seconds after which DynamoDB may delete an item (webhook events seen); AWS only. */
  timeToLiveAttribute: "expiresAt",
  globalIndexes: [{ name: GSI1, partitionKey: "gsi1pk", sortKey: "gsi1sk" }],
} as const;
