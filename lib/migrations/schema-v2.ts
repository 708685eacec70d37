/**
 * Schema version 2: dataset ids are unique within their tenant (docs/upgrades.md). Version 1 keyed a
 * dataset by its id alone; this moves each version 1 item to its version 2 key. Pure: it says what to
 * write for one stored item, and the runner (lib/adapters/aws/dynamodb-migration.ts) writes it.
 *
 * - a dataset `DATASET#{id}` → `DATASET#{tenant}#{id}` (the version 2 item wins if one exists: a
 *   `dataset set` since the upgrade already moved it);
 * - its registry entry `DATASETS / {id}` → `DATASETS / {tenant}#{id}`;
 * - a document's gsi1 partition `DATASET#{id}#DOCS` → `DATASET#{tenant}#{id}#DOCS`.
 * Every other item keeps its shape: it is left as it is.
 */
import { keys, legacyKeys } from "../shared/table-layout.js";

export type StoredItem = Record<string, unknown>;
export type ItemKey = { pk: string; sk: string };

/** What to do with one item; applied in this order, each step idempotent. */
export interface ItemMigration {
  /** Write this item unless one exists at its key. */
  putIfAbsent?: StoredItem;
  /** Set these attributes on the item if it still has `when` (its version 1 value). */
  update?: { key: ItemKey; set: StoredItem; when: { attribute: string; value: string } };
  /** Delete the version 1 item. */
  delete?: ItemKey;
}

export const SCHEMA_V2 = 2;

export function migrateItemToV2(item: StoredItem): ItemMigration | undefined {
  const pk = String(item.pk);
  const sk = String(item.sk);
  const tenantId = typeof item.tenantId === "string" ? item.tenantId : undefined;
  if (tenantId === undefined) return undefined;
  const parts = pk.split("#");

  if (sk === "DATASET" && parts.length === 2 && parts[0] === "DATASET") {
    const datasetId = parts[1] as string;
    return {
      putIfAbsent: { ...item, ...keys.dataset(tenantId, datasetId), schemaVersion: SCHEMA_V2 },
      delete: legacyKeys.dataset(datasetId),
    };
  }
  if (pk === keys.datasetRegistryPartition && !sk.includes("#")) {
    return {
      putIfAbsent: {
        ...keys.datasetRegistry(tenantId, sk),
        tenantId,
        datasetId: sk,
        schemaVersion: SCHEMA_V2,
      },
      delete: legacyKeys.datasetRegistry(sk),
    };
  }
  const gsi1pk = typeof item.gsi1pk === "string" ? item.gsi1pk : undefined;
  if (sk === "DOC" && parts[0] === "DOC" && gsi1pk !== undefined && gsi1pk.split("#").length === 3) {
    const datasetId = String(item.datasetId);
    if (gsi1pk !== legacyKeys.documentsOfDataset(datasetId)) return undefined;
    return {
      update: {
        key: { pk, sk },
        set: { gsi1pk: keys.documentsOfDataset(tenantId, datasetId), schemaVersion: SCHEMA_V2 },
        when: { attribute: "gsi1pk", value: gsi1pk },
      },
    };
  }
  return undefined;
}
