/**
 * The schema version 2 plan (lib/migrations/schema-v2.ts), item by item: what moves where, and that
 * version 2 items and items whose shape did not change are left alone. The runner and the whole table
 * are tested on a fixture in test/e2e/upgrade.test.ts.
 */
import { describe, expect, it } from "vitest";
import { migrateItemToV2 } from "../../lib/migrations/schema-v2.js";
import { keys, legacyKeys } from "../../lib/shared/table-layout.js";

describe("migrateItemToV2", () => {
  it("moves a version 1 dataset to its tenant's key, keeping every attribute", () => {
    const item = {
      ...legacyKeys.dataset("handbook"),
      gsi1pk: keys.datasetsOfTenant("acme"),
      gsi1sk: "handbook",
      tenantId: "acme",
      datasetId: "handbook",
      name: "handbook",
    };
    expect(migrateItemToV2(item)).toEqual({
      putIfAbsent: { ...item, ...keys.dataset("acme", "handbook"), schemaVersion: 2 },
      delete: legacyKeys.dataset("handbook"),
    });
  });

  it("moves a version 1 registry entry, naming tenant and dataset", () => {
    const item = { ...legacyKeys.datasetRegistry("handbook"), tenantId: "acme" };
    expect(migrateItemToV2(item)).toEqual({
      putIfAbsent: {
        ...keys.datasetRegistry("acme", "handbook"),
        tenantId: "acme",
        datasetId: "handbook",
        schemaVersion: 2,
      },
      delete: legacyKeys.datasetRegistry("handbook"),
    });
  });

  it("re-lists a version 1 document under its tenant's dataset, only while it still has the old value", () => {
    const item = {
      ...keys.document("d-1"),
      gsi1pk: legacyKeys.documentsOfDataset("handbook"),
      gsi1sk: "d-1",
      tenantId: "acme",
      datasetId: "handbook",
    };
    expect(migrateItemToV2(item)).toEqual({
      update: {
        key: keys.document("d-1"),
        set: { gsi1pk: keys.documentsOfDataset("acme", "handbook"), schemaVersion: 2 },
        when: { attribute: "gsi1pk", value: legacyKeys.documentsOfDataset("handbook") },
      },
    });
  });

  it("leaves version 2 items and items whose shape did not change alone", () => {
    const unchanged = [
      { ...keys.dataset("acme", "handbook"), tenantId: "acme", datasetId: "handbook", schemaVersion: 2 },
      { ...keys.datasetRegistry("acme", "handbook"), tenantId: "acme", datasetId: "handbook" },
      {
        ...keys.document("d-2"),
        gsi1pk: keys.documentsOfDataset("acme", "handbook"),
        tenantId: "acme",
        datasetId: "handbook",
      },
      { ...keys.segment("d-2", 1, 0), datasetId: "handbook" },
      { ...keys.binding("acme", "ws"), tenantId: "acme" },
      { ...keys.usageEntry("acme", "2026-12-04", "dataset#handbook"), tenantId: "acme" },
    ];
    for (const item of unchanged) expect(migrateItemToV2(item)).toBeUndefined();
  });
});
