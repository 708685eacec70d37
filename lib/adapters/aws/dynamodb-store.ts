/**
 * DocumentStore on DynamoDB (document client). Claims and stage updates are conditional writes on
 * the generation number: no transactions, no TTL (docs/architecture.md, Data).
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { DataSourceBinding, Dataset, Document, Segment } from "../../core/model.js";
import type {
  ClaimRequest,
  DocumentScope,
  DocumentStore,
  PageIndexEntry,
  WebhookStore,
} from "../../core/ports.js";
import { ConflictError, PermanentError } from "../../shared/errors.js";
import { GSI1, keys } from "../../shared/table-layout.js";
import { batchWriteAll } from "./dynamodb-batch-write.js";

const KEY_ATTRIBUTES = ["pk", "sk", "gsi1pk", "gsi1sk"] as const;

type Item = Record<string, unknown>;

export function createDynamoDbStore(client: DynamoDBClient, tableName: string): DocumentStore {
  const db = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });

  async function queryAll(input: Omit<QueryCommandInput, "TableName">): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  const batchWrite = (requests: Item[]) => batchWriteAll(db, tableName, requests);

  async function conditionalUpdate(
    documentId: string,
    expression: UpdateExpression,
    condition: string,
  ): Promise<Document> {
    try {
      const result = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.document(documentId),
          UpdateExpression: expression.text(),
          ConditionExpression: condition,
          ExpressionAttributeNames: expression.names,
          ExpressionAttributeValues: expression.values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return stripKeys(result.Attributes ?? {}) as unknown as Document;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`document ${documentId} changed under us (generation or lease moved)`);
      }
      throw error;
    }
  }

  return {
    async getDataset(datasetId) {
      const result = await db.send(new GetCommand({ TableName: tableName, Key: keys.dataset(datasetId) }));
      return result.Item ? (stripKeys(result.Item) as unknown as Dataset) : undefined;
    },

    async ensureDataset(dataset) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: datasetItem(dataset),
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.datasetRegistry(dataset.datasetId), tenantId: dataset.tenantId },
          }),
        );
        return dataset;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const existing = await this.getDataset(dataset.datasetId);
        if (!existing) throw error;
        return existing;
      }
    },

    async saveDataset(dataset) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: datasetItem(dataset),
            ConditionExpression: "attribute_exists(pk)",
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        throw new PermanentError(`no dataset ${dataset.datasetId}`);
      }
    },

    async getDocument(documentId) {
      const result = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.document(documentId), ConsistentRead: true }),
      );
      return result.Item ? (stripKeys(result.Item) as unknown as Document) : undefined;
    },

    async createDocument(document) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...document,
              ...keys.document(document.documentId),
              gsi1pk: keys.documentsOfDataset(document.datasetId),
              gsi1sk: document.documentId,
            },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        await putPageIndexEntries(db, tableName, [document]);
        return { document, created: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const existing = await this.getDocument(document.documentId);
        if (!existing) throw error;
        // Registering again heals a document created before the page index existed (idempotent put).
        await putPageIndexEntries(db, tableName, [existing]);
        return { document: existing, created: false };
      }
    },

    async listDocuments(scope: DocumentScope) {
      let datasetIds: string[];
      if (scope.datasetId) datasetIds = [scope.datasetId];
      else if (scope.tenantId) {
        const datasets = await queryAll({
          IndexName: GSI1,
          KeyConditionExpression: "gsi1pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.datasetsOfTenant(scope.tenantId) },
        });
        datasetIds = datasets.map((dataset) => String(dataset.datasetId));
      } else {
        // Every dataset from the registry: queries only, never a scan of segments and cache entries.
        const registry = await queryAll({
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.datasetRegistry("").pk },
        });
        datasetIds = registry.map((entry) => String(entry.sk));
      }
      const items: Item[] = [];
      for (const datasetId of datasetIds) {
        items.push(
          ...(await queryAll({
            IndexName: GSI1,
            KeyConditionExpression: "gsi1pk = :pk",
            ExpressionAttributeValues: { ":pk": keys.documentsOfDataset(datasetId) },
          })),
        );
      }
      return items
        .map((item) => stripKeys(item) as unknown as Document)
        .filter((document) => !scope.tenantId || document.tenantId === scope.tenantId)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.documentId.localeCompare(b.documentId));
    },

    async claimDocument(request: ClaimRequest) {
      const update = new UpdateExpression()
        .set("generation", request.expectedGeneration + 1)
        .set("lease", request.lease)
        .set("indexingStatus", request.status)
        .set("processingStartedAt", request.now)
        .remove("error", "stoppedAt", "parsingCompletedAt", "cleaningCompletedAt", "splittingCompletedAt");
      if (request.title !== undefined) update.set("title", request.title);
      if (request.type !== undefined) update.setPath(["dataSourceInfo", "type"], request.type);
      update.values[":expected"] = request.expectedGeneration;
      update.values[":now"] = request.now;
      return conditionalUpdate(
        request.documentId,
        update,
        "attribute_exists(pk) AND generation = :expected AND (attribute_not_exists(lease) OR lease.expiresAt < :now)",
      );
    },

    async updateDocument(documentId, generation, patch, options) {
      const update = new UpdateExpression();
      for (const [name, value] of Object.entries(patch)) {
        if (value === undefined) update.remove(name);
        else update.set(name, value);
      }
      if (options?.lease) update.set("lease", options.lease);
      else if (options?.releaseLease) update.remove("lease");
      update.values[":generation"] = generation;
      return conditionalUpdate(documentId, update, "attribute_exists(pk) AND generation = :generation");
    },

    async setPaused(documentId, paused) {
      try {
        const update = new UpdateExpression().set("isPaused", paused);
        return await conditionalUpdate(documentId, update, "attribute_exists(pk)");
      } catch (error) {
        if (error instanceof ConflictError) return undefined;
        throw error;
      }
    },

    async listSegments(documentId, options) {
      const items = await queryAll({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: {
          ":pk": keys.document(documentId).pk,
          ":prefix": keys.segmentPrefix(options?.generation),
        },
        ConsistentRead: true,
      });
      return items.map((item) => stripKeys(item) as unknown as Segment);
    },

    async putSegments(segments) {
      await batchWrite(
        segments.map((segment) => ({
          PutRequest: {
            Item: { ...segment, ...keys.segment(segment.documentId, segment.generation, segment.position) },
          },
        })),
      );
    },

    async deleteDocument(documentId, generation) {
      try {
        await db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: keys.document(documentId),
            ConditionExpression: "generation = :generation",
            ExpressionAttributeValues: { ":generation": generation },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new ConflictError(`document ${documentId} changed under us (generation moved)`);
        }
        throw error;
      }
    },

    async deleteSegments(documentId, segmentKeys) {
      await batchWrite(
        segmentKeys.map((key) => ({
          DeleteRequest: { Key: keys.segment(documentId, key.generation, key.position) },
        })),
      );
      return segmentKeys.length;
    },

    async getBinding(tenantId, workspaceId) {
      const result = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.binding(tenantId, workspaceId) }),
      );
      return result.Item ? (stripKeys(result.Item) as unknown as DataSourceBinding) : undefined;
    },

    async putBinding(binding) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...binding, ...keys.binding(binding.tenantId, binding.workspaceId) },
        }),
      );
    },
  };
}

/** The page-index entries of documents (lib/shared/table-layout.ts): one small item each, written with plain puts. */
async function putPageIndexEntries(
  db: DynamoDBDocumentClient,
  tableName: string,
  documents: Document[],
): Promise<number> {
  for (const document of documents) {
    const { workspaceId, pageId } = document.dataSourceInfo;
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keys.pageIndexEntry(document.tenantId, workspaceId, pageId, document.documentId),
          tenantId: document.tenantId,
          workspaceId,
          pageId,
          datasetId: document.datasetId,
          documentId: document.documentId,
        },
      }),
    );
  }
  return documents.length;
}

/** How long an event id is remembered: far longer than any replay window, then DynamoDB's TTL drops it. */
const EVENT_MEMORY_SECONDS = 7 * 24 * 3600;

/**
 * The webhook's state in the same table (WebhookStore): the page index, the per-document debounce
 * marker and the events seen. Conditional writes only, as everywhere in this store.
 */
export function createDynamoDbWebhookStore(client: DynamoDBClient, tableName: string): WebhookStore {
  const db = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return {
    async findDocumentsByPage(tenantId, workspaceId, pageId) {
      const entries: PageIndexEntry[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": keys.pageIndex(tenantId, workspaceId, pageId) },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          entries.push({
            tenantId: String(item.tenantId),
            workspaceId: String(item.workspaceId),
            pageId: String(item.pageId),
            datasetId: String(item.datasetId),
            documentId: String(item.documentId),
          });
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return entries;
    },

    indexDocumentPages: (documents) => putPageIndexEntries(db, tableName, documents),

    async claimPendingSync(documentId, now, until) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.pendingSync(documentId), pendingUntil: until },
            ConditionExpression: "attribute_not_exists(pk) OR pendingUntil <= :now",
            ExpressionAttributeValues: { ":now": now },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async recordEventAttempt(binding, eventId, attempt, seenAt) {
      try {
        const result = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.webhookEvent(binding.tenantId, binding.workspaceId, eventId),
            UpdateExpression: "SET lastAttempt = :attempt, seenAt = :seenAt, expiresAt = :expiresAt",
            // An attempt number at or below one already seen is the same delivery sent again.
            ConditionExpression: "attribute_not_exists(pk) OR lastAttempt < :attempt",
            ExpressionAttributeValues: {
              ":attempt": attempt,
              ":seenAt": seenAt,
              ":expiresAt": Math.floor(Date.parse(seenAt) / 1000) + EVENT_MEMORY_SECONDS,
            },
            ReturnValues: "ALL_OLD",
          }),
        );
        return result.Attributes?.handled === true ? "duplicate" : "new";
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return "replay";
        throw error;
      }
    },

    async markEventHandled(binding, eventId) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.webhookEvent(binding.tenantId, binding.workspaceId, eventId),
          UpdateExpression: "SET handled = :handled",
          ExpressionAttributeValues: { ":handled": true },
        }),
      );
    },
  };
}

/** Builds `SET a = :a, b.c = :b_c REMOVE d` with attribute-name placeholders for reserved words. */
class UpdateExpression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];

  set(name: string, value: unknown): this {
    return this.setPath([name], value);
  }

  setPath(path: string[], value: unknown): this {
    const placeholder = `:${path.join("_")}`;
    this.sets.push(`${this.namePath(path)} = ${placeholder}`);
    this.values[placeholder] = value;
    return this;
  }

  remove(...names: string[]): this {
    for (const name of names) this.removes.push(this.namePath([name]));
    return this;
  }

  text(): string {
    const parts: string[] = [];
    if (this.sets.length > 0) parts.push(`SET ${this.sets.join(", ")}`);
    if (this.removes.length > 0) parts.push(`REMOVE ${this.removes.join(", ")}`);
    return parts.join(" ");
  }

  private namePath(path: string[]): string {
    return path
      .map((part) => {
        this.names[`#${part}`] = part;
        return `#${part}`;
      })
      .join(".");
  }
}

/** A dataset with its keys: its own, and the tenant's listing in gsi1. */
function datasetItem(dataset: Dataset): Item {
  return {
    ...dataset,
    ...keys.dataset(dataset.datasetId),
    gsi1pk: keys.datasetsOfTenant(dataset.tenantId),
    gsi1sk: dataset.datasetId,
  };
}

function stripKeys(item: Item): Item {
  const copy = { ...item };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy;
}
