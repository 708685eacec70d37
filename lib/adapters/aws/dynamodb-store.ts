/**
 * DocumentStore on DynamoDB (document client). Claims and stage updates are conditional writes on
 * the generation number: no transactions, no TTL (docs/architecture.md, Data).
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DataSourceBinding, Dataset, Document, Segment } from "../../core/model.js";
import type { ClaimRequest, DocumentScope, DocumentStore } from "../../core/ports.js";
import { ConflictError, PermanentError } from "../../shared/errors.js";
import { GSI1, keys } from "../../shared/table-layout.js";
import { batchGetAll } from "./dynamodb-batch-get.js";
import { batchWriteAll } from "./dynamodb-batch-write.js";
import { documentClient, type Item, queryAll as queryItems, stripKeys } from "./dynamodb-document-client.js";
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

  return {
    async getDataset(datasetId) {
      const result = await db.send(new GetCommand({ TableName: tableName, Key: keys.dataset(datasetId) }));
      return result.Item ? (stripKeys(result.Item) as unknown as Dataset) : undefined;
    },

    async listDatasets(tenantId) {
      if (tenantId !== undefined) {
        const items = await queryAll({
          IndexName: GSI1,
          KeyConditionExpression: "gsi1pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.datasetsOfTenant(tenantId) },
        });
        return items.map((item) => stripKeys(item) as unknown as Dataset);
      }
      const registry = await queryAll({
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.datasetRegistry("").pk },
      });
      const datasets = await Promise.all(registry.map((entry) => this.getDataset(String(entry.sk))));
      return datasets.filter((dataset): dataset is Dataset => dataset !== undefined);
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

/** A dataset with its keys: its own, and the tenant's listing in gsi1. */
function datasetItem(dataset: Dataset): Item {
  return {
    ...dataset,
    ...keys.dataset(dataset.datasetId),
    gsi1pk: keys.datasetsOfTenant(dataset.tenantId),
    gsi1sk: dataset.datasetId,
  };
}
