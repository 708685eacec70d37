/**
 * `migrate`: brings the table's items to this version's schema (docs/upgrades.md). The functions read
 * version 1 items in place meanwhile, so a stack works before, during and after it; it leaves their
 * partitions empty. Idempotent and resumable: `--max-items` bounds one run, the next goes on.
 */
import { runMigration } from "../../adapters/aws/dynamodb-migration.js";
import { migrateItemToV2, SCHEMA_V2 } from "../../migrations/schema-v2.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";
import { withProgress } from "../progress.js";

export interface MigrateOptions {
  maxItems?: number;
  again?: boolean;
  json?: boolean;
}

export async function migrateCommand(connection: Connection, options: MigrateOptions): Promise<void> {
  const tableName =
    connection.tableName ?? connection.local?.tableName ?? connection.stack?.outputs.TableName;
  if (!tableName) throw new PermanentError("no table to migrate: set TABLE_NAME, or use --stack NAME");
  const run = await withProgress(
    `migrating ${tableName} to schema version ${SCHEMA_V2}`,
    options,
    (progress) =>
      runMigration(connection.adapters.dynamodb, tableName, {
        version: SCHEMA_V2,
        plan: migrateItemToV2,
        now: () => new Date(),
        maxItems: options.maxItems,
        again: options.again,
        onPage: (state) =>
          progress.update(`migrating ${tableName}: ${state.scanned} items scanned, ${state.migrated} moved`),
      }),
    (result) => (result.state.finishedAt ? "done" : "stopped"),
  );
  const { state } = run;
  if (options.json) {
    printJson({
      version: state.version,
      finished: state.finishedAt !== undefined,
      alreadyDone: run.alreadyDone,
      scanned: run.scanned,
      migrated: run.migrated,
      total: { scanned: state.scanned, migrated: state.migrated },
    });
    return;
  }
  if (run.alreadyDone) {
    printLine(
      `table ${tableName} is at schema version ${state.version} (migrated ${state.finishedAt}); nothing to do (--again scans it anew)`,
    );
  } else if (state.finishedAt) {
    printLine(
      `table ${tableName} is at schema version ${state.version}: ${run.scanned} items scanned, ${run.migrated} moved by this run (${state.migrated} in all)`,
    );
  } else {
    printLine(
      `stopped after ${run.scanned} items (${run.migrated} moved): run \`migrate\` again to go on from there`,
    );
  }
}
