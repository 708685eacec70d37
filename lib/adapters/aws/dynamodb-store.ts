/**
 * DocumentStore on DynamoDB (document client). Claims and stage updates are conditional writes on
 * the generation number: no transactions, no TTL (docs/architecture.md, Data).
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DataSourceBinding, Dataset, Document, Segment, TenantSettings } from "../../core/model.js";
import type { ClaimRequest, DocumentScope, DocumentStore } from "../../core/ports.js";
import { ConflictError, PermanentError } from "../../shared/errors.js";
import { GSI1, keys, legacyKeys, SCHEMA_VERSION } from "../../shared/table-layout.js";
import { batchGetAll } from "./dynamodb-batch-get.js";
import { batchWriteAll } from "./dynamodb-batch-write.js";
import {
  countAll,
  documentClient,
  type Item,
  queryAll as queryItems,
  stripKeys,
} from "./dynamodb-document-client.js";
import { putPageIndexEntries } from "./dynamodb-webhook-store.js";
import { UpdateExpression } from "./update-expression.js";

export function createDynamoDbStore(client: DynamoDBClient, tableName: string): DocumentStore {
  const db = documentClient(client);
  const queryAll = (input: Parameters<typeof queryItems>[2]) => queryItems(db, tableName, input);

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

  /** A tenant's dataset, and whether it is still a schema version 1 item (keyed by its id alone). */
  async function readDataset(
    tenantId: string,
    datasetId: string,
  ): Promise<{ dataset: Dataset; legacy: boolean } | undefined> {
    const current = await db.send(
      new GetCommand({ TableName: tableName, Key: keys.dataset(tenantId, datasetId) }),
    );
    if (current.Item) return { dataset: stripKeys(current.Item) as unknown as Dataset, legacy: false };
    // Version 1 (docs/upgrades.md): read where it was, if it is this tenant's, until `migrate` moves it.
    const legacy = await db.send(
      new GetCommand({ TableName: tableName, Key: legacyKeys.dataset(datasetId) }),
    );
    if (!legacy.Item || legacy.Item.tenantId !== tenantId) return undefined;
    return { dataset: stripKeys(legacy.Item) as unknown as Dataset, legacy: true };
  }

  /**
   * A tenant's dataset items, each once: while `saveDataset` moves one to its version 2 key (or
   * after a crash in between), both copies are in the tenant's gsi1 listing; the version 2 one wins.
   */
  async function tenantDatasetItems(tenantId: string): Promise<Item[]> {
    const items = await queryAll({
      IndexName: GSI1,
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.datasetsOfTenant(tenantId) },
    });
    const byId = new Map<string, Item>();
    for (const item of items) {
      const datasetId = String(item.datasetId);
      const current = String(item.pk) === keys.dataset(tenantId, datasetId).pk;
      if (current || !byId.has(datasetId)) byId.set(datasetId, item);
    }
    return [...byId.values()];
  }

  /** The datasets a scope covers, each once. */
  async function datasetsIn(scope: DocumentScope): Promise<DatasetRef[]> {
    const { tenantId, datasetId } = scope;
    if (tenantId === undefined) return registryEntries();
    if (datasetId !== undefined) return [{ tenantId, datasetId }];
    return (await tenantDatasetItems(tenantId)).map((item) => ({
      tenantId,
      datasetId: String(item.datasetId),
    }));
  }

  /** Every dataset's tenant and id, from the registry (version 1 entries have the id as sort key). */
  async function registryEntries(): Promise<DatasetRef[]> {
    const entries = await queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.datasetRegistryPartition },
    });
    const seen = new Set<string>();
    const found: DatasetRef[] = [];
    for (const entry of entries) {
      const tenantId = String(entry.tenantId);
      const datasetId = String(entry.datasetId ?? entry.sk);
      const key = `${tenantId}#${datasetId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ tenantId, datasetId });
    }
    return found;
  }

  /** Deletes a dataset's version 1 item and registry entry, if they are this tenant's (idempotent). */
  async function retireLegacyDataset(dataset: Dataset): Promise<void> {
    await db.send(new PutCommand({ TableName: tableName, Item: registryItem(dataset) }));
    for (const key of [
      legacyKeys.dataset(dataset.datasetId),
      legacyKeys.datasetRegistry(dataset.datasetId),
    ]) {
      await db
        .send(
          new DeleteCommand({
            TableName: tableName,
            Key: key,
            ConditionExpression: "attribute_not_exists(pk) OR tenantId = :tenant",
            ExpressionAttributeValues: { ":tenant": dataset.tenantId },
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
    }
  }

  return {
    async getDataset(tenantId, datasetId) {
      return (await readDataset(tenantId, datasetId))?.dataset;
    },

    async listDatasets(tenantId) {
      if (tenantId !== undefined) {
        return (await tenantDatasetItems(tenantId)).map((item) => stripKeys(item) as unknown as Dataset);
      }
      const datasets = await Promise.all(
        (await registryEntries()).map((entry) => this.getDataset(entry.tenantId, entry.datasetId)),
      );
      return datasets.filter((dataset): dataset is Dataset => dataset !== undefined);
    },

    async findDatasets(datasetId) {
      const named = (await registryEntries()).filter((entry) => entry.datasetId === datasetId);
      const datasets = await Promise.all(
        named.map((entry) => this.getDataset(entry.tenantId, entry.datasetId)),
      );
      return datasets.filter((dataset): dataset is Dataset => dataset !== undefined);
    },

    async ensureDataset(dataset) {
      const existing = await this.getDataset(dataset.tenantId, dataset.datasetId);
      if (existing) return existing;
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: datasetItem(dataset),
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
        await db.send(new PutCommand({ TableName: tableName, Item: registryItem(dataset) }));
        return dataset;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const raced = await this.getDataset(dataset.tenantId, dataset.datasetId);
        if (!raced) throw error;
        return raced;
      }
    },

    async saveDataset(dataset) {
      const current = await readDataset(dataset.tenantId, dataset.datasetId);
      if (!current) throw new PermanentError(`no dataset ${dataset.datasetId}`);
      // Written under its version 2 key whichever key it was read from; a version 1 item then goes.
      await db.send(new PutCommand({ TableName: tableName, Item: datasetItem(dataset) }));
      if (current.legacy) await retireLegacyDataset(dataset);
    },

    async getDocument(documentId) {
      const result = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.document(documentId), ConsistentRead: true }),
      );
      return result.Item ? (stripKeys(result.Item) as unknown as Document) : undefined;
    },

    async getDocuments(documentIds) {
      const unique = [...new Set(documentIds)];
      const items = await batchGetAll(
        db,
        tableName,
        unique.map((documentId) => keys.document(documentId)),
      );
      return items.map((item) => stripKeys(item) as unknown as Document);
    },

    async createDocument(document) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...document,
              ...keys.document(document.documentId),
              gsi1pk: keys.documentsOfDataset(document.tenantId, document.datasetId),
              gsi1sk: document.documentId,
              schemaVersion: SCHEMA_VERSION,
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
      const items: Item[] = [];
      for (const dataset of await datasetsIn(scope)) {
        for (const partition of documentPartitions(dataset)) {
          items.push(
            ...(
              await queryAll({
                IndexName: GSI1,
                KeyConditionExpression: "gsi1pk = :pk",
                ExpressionAttributeValues: { ":pk": partition },
              })
            ).filter((item) => item.tenantId === dataset.tenantId),
          );
        }
      }
      const byId = new Map(items.map((item) => [String(item.documentId), item]));
      return [...byId.values()]
        .map((item) => stripKeys(item) as unknown as Document)
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
            Item: {
              ...segment,
              ...keys.segment(segment.documentId, segment.generation, segment.position),
              schemaVersion: SCHEMA_VERSION,
            },
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

    async countDocuments(scope: DocumentScope) {
      let total = 0;
      for (const dataset of await datasetsIn(scope)) {
        for (const partition of documentPartitions(dataset)) {
          total += await countAll(db, tableName, {
            IndexName: GSI1,
            KeyConditionExpression: "gsi1pk = :pk",
            FilterExpression: "tenantId = :tenant",
            ExpressionAttributeValues: { ":pk": partition, ":tenant": dataset.tenantId },
          });
        }
      }
      return total;
    },

    async getTenant(tenantId) {
      const result = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.tenantSettings(tenantId) }),
      );
      return result.Item ? (stripKeys(result.Item) as unknown as TenantSettings) : undefined;
    },

    async saveTenant(settings) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...settings, ...keys.tenantSettings(settings.tenantId), schemaVersion: SCHEMA_VERSION },
        }),
      );
    },

    async getBinding(tenantId, workspaceId) {
      const result = await db.send(
        new GetCommand({ TableName: tableName, Key: keys.binding(tenantId, workspaceId) }),
      );
      return result.Item ? (stripKeys(result.Item) as unknown as DataSourceBinding) : undefined;
    },

    async markDisconnected({ tenantId, workspaceId }, mark, readConnectedAt) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.binding(tenantId, workspaceId),
            UpdateExpression: "SET disconnected = :mark",
            ConditionExpression:
              readConnectedAt === undefined
                ? "attribute_exists(pk) AND attribute_not_exists(disconnected) AND attribute_not_exists(connectedAt)"
                : "attribute_exists(pk) AND attribute_not_exists(disconnected) AND connectedAt = :connectedAt",
            ExpressionAttributeValues: {
              ":mark": mark,
              ...(readConnectedAt === undefined ? {} : { ":connectedAt": readConnectedAt }),
            },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async putBinding(binding) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...binding,
            ...keys.binding(binding.tenantId, binding.workspaceId),
            schemaVersion: SCHEMA_VERSION,
          },
        }),
      );
    },
  };
}

interface DatasetRef {
  tenantId: string;
  datasetId: string;
}

/**
 * The gsi1 partitions a dataset's documents are listed in: version 1's first (a document `migrate`
 * moves between the two reads is then found in the second; one found in both is folded), then its own.
 */
function documentPartitions({ tenantId, datasetId }: DatasetRef): string[] {
  return [legacyKeys.documentsOfDataset(datasetId), keys.documentsOfDataset(tenantId, datasetId)];
}

/** A dataset with its keys: its own, and the tenant's listing in gsi1. */
export function datasetItem(dataset: Dataset): Item {
  return {
    ...dataset,
    ...keys.dataset(dataset.tenantId, dataset.datasetId),
    gsi1pk: keys.datasetsOfTenant(dataset.tenantId),
    gsi1sk: dataset.datasetId,
    schemaVersion: SCHEMA_VERSION,
  };
}

/** The dataset's entry in the registry of every dataset. */
export function registryItem(dataset: { tenantId: string; datasetId: string }): Item {
  return {
    ...keys.datasetRegistry(dataset.tenantId, dataset.datasetId),
    tenantId: dataset.tenantId,
    datasetId: dataset.datasetId,
    schemaVersion: SCHEMA_VERSION,
  };
}
