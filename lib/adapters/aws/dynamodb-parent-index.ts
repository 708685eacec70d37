/**
 * The parent index in the table (lib/shared/table-layout.ts): one item per Notion object, in its
 * binding's partition, holding the object's kind and its parent. One link is read and written with
 * GetItem and PutItem, many with the batch calls.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { BindingRef, NotionParent, ParentIndex, ParentLink } from "../../core/ports.js";
import { keys } from "../../shared/table-layout.js";
import { batchGetAll } from "./dynamodb-batch-get.js";
import { batchWriteAll } from "./dynamodb-batch-write.js";
import { documentClient, type Item, queryAll } from "./dynamodb-document-client.js";

export function createDynamoDbParentIndex(client: DynamoDBClient, tableName: string): ParentIndex {
  const db = documentClient(client);
  return {
    async loadAll({ tenantId, workspaceId }) {
      const items = await queryAll(db, tableName, {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.parentLinks(tenantId, workspaceId) },
      });
      return items.map(linkOf);
    },

    async get({ tenantId, workspaceId }, ids) {
      const unique = [...new Set(ids)];
      if (unique.length === 1) {
        // One link (a webhook's, a sync's walk): GetItem, all the webhook function is granted.
        const result = await db.send(
          new GetCommand({
            TableName: tableName,
            Key: keys.parentLink(tenantId, workspaceId, unique[0] as string),
          }),
        );
        return new Map(result.Item ? [[String(result.Item.sk), linkOf(result.Item)]] : []);
      }
      const items = await batchGetAll(
        db,
        tableName,
        unique.map((id) => keys.parentLink(tenantId, workspaceId, id)),
      );
      return new Map(items.map((item) => [String(item.sk), linkOf(item)]));
    },

    async put(binding: BindingRef, links: ParentLink[]) {
      const latest = new Map(links.map((link) => [link.id, link]));
      if (latest.size === 1) {
        const [link] = latest.values();
        await db.send(new PutCommand({ TableName: tableName, Item: itemOf(binding, link as ParentLink) }));
        return;
      }
      await batchWriteAll(
        db,
        tableName,
        [...latest.values()].map((link) => ({ PutRequest: { Item: itemOf(binding, link) } })),
      );
    },

    async remove({ tenantId, workspaceId }, ids) {
      await batchWriteAll(
        db,
        tableName,
        [...new Set(ids)].map((id) => ({
          DeleteRequest: { Key: keys.parentLink(tenantId, workspaceId, id) },
        })),
      );
    },
  };
}

function itemOf({ tenantId, workspaceId }: BindingRef, link: ParentLink): Item {
  return {
    ...keys.parentLink(tenantId, workspaceId, link.id),
    kind: link.kind,
    parentType: link.parent.type,
    ...(link.parent.type === "workspace" ? {} : { parentId: link.parent.id }),
  };
}

function linkOf(item: Item): ParentLink {
  const parentType = item.parentType as NotionParent["type"];
  const parent: NotionParent =
    parentType === "workspace" ? { type: "workspace" } : { type: parentType, id: String(item.parentId) };
  return { id: String(item.sk), kind: item.kind as ParentLink["kind"], parent };
}
