/**
 * Check 8: the table's items are at this version's schema (docs/upgrades.md). Items of an older one
 * are read in place, so nothing is broken; the check says to run `migrate`, which moves them.
 */
import { SCHEMA_VERSION } from "../../shared/table-layout.js";
import type { DoctorContext } from "./context.js";
import { type Check, failed, passed } from "./run-checks.js";

export function schemaCheck(context: DoctorContext): Check {
  return {
    name: "schema",
    async run() {
      const { legacyDatasets, migratedAt } = await context.health().schemaState(SCHEMA_VERSION);
      if (legacyDatasets.length > 0) {
        const shown = legacyDatasets.slice(0, 5).join(", ") + (legacyDatasets.length > 5 ? ", …" : "");
        return [
          failed(
            "schema",
            `${legacyDatasets.length} dataset(s) still at schema version ${SCHEMA_VERSION - 1} (${shown}): read in place until they are moved`,
            `run \`notion-index-sync migrate${context.kind === "stack" ? " --stack NAME" : ""}\` (idempotent, resumable)`,
          ),
        ];
      }
      return [
        passed(
          "schema",
          `items at schema version ${SCHEMA_VERSION}${migratedAt ? ` (migrated ${migratedAt})` : ""}`,
        ),
      ];
    },
  };
}
