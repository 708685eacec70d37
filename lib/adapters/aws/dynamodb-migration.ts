/**
 * Runs a schema migration over the table (`migrate`, docs/upgrades.md): a paged scan that applies
 * the migration's plan to each item, saving where it stands after every page. Resumable: a run that
 * stops (its item budget, a crash, Ctrl-C) goes on from the last saved page. Idempotent: every write
 * is conditional, so a page done twice changes nothing the second time.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ItemMigration, StoredItem } from "../../migrations/schema-v2.js";
import { keys } from "../../shared/table-layout.js";
import { documentClient } from "./dynamodb-document-client.js";

export interface MigrationState {
  version: number;
  startedAt: string;
  finishedAt?: string;
  scanned: number;
  migrated: number;
  /** The scan's position after the last page done (absent before the first). */
  lastKey?: Record<string, unknown>;
}

export interface MigrationRun {
  /** The migration's state after this run. */
  state: MigrationState;
  /** Items scanned and changed by this run alone. */
  scanned: number;
  migrated: number;
  /** Finished before this run began: nothing was scanned. */
  alreadyDone: boolean;
}

export interface MigrationOptions {
  version: number;
  plan: (item: StoredItem) => ItemMigration | undefined;
  now: () => Date;
  /** Stop after about this many items (a page is finished first); the next run goes on. */
  maxItems?: number;
  /** Scan again even though the migration finished (it changes nothing twice). */
  again?: boolean;
  pageSize?: number;
  onPage?: (state: MigrationState) => void;
}

export async function runMigration(
  client: DynamoDBClient,
  tableName: string,
  options: MigrationOptions,
): Promise<MigrationRun> {
  const db = documentClient(client);
  const stateKey = keys.migration(options.version);
  const stored = (
    await db.send(new GetCommand({ TableName: tableName, Key: stateKey, ConsistentRead: true }))
  ).Item as (MigrationState & StoredItem) | undefined;
  if (stored?.finishedAt !== undefined && !options.again) {
    return { state: stateOf(stored), scanned: 0, migrated: 0, alreadyDone: true };
  }
  const state: MigrationState =
    stored && stored.finishedAt === undefined
      ? stateOf(stored)
      : { version: options.version, startedAt: options.now().toISOString(), scanned: 0, migrated: 0 };
  const migratedBefore = state.migrated;
  let scanned = 0;
  let migrated = 0;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        ExclusiveStartKey: state.lastKey,
        Limit: Math.min(options.pageSize ?? 100, options.maxItems ?? Number.POSITIVE_INFINITY),
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      scanned += 1;
      const plan = options.plan(item);
      if (plan && (await apply(plan))) migrated += 1;
    }
    state.scanned += page.Items?.length ?? 0;
    state.migrated = migratedBefore + migrated;
    state.lastKey = page.LastEvaluatedKey;
    if (state.lastKey === undefined) state.finishedAt = options.now().toISOString();
    await db.send(
      new PutCommand({ TableName: tableName, Item: { ...stateKey, ...withoutUndefined(state) } }),
    );
    options.onPage?.(state);
  } while (state.lastKey !== undefined && (options.maxItems === undefined || scanned < options.maxItems));
  return { state, scanned, migrated, alreadyDone: false };

  /** Applies one item's plan; true when it changed anything. */
  async function apply(plan: ItemMigration): Promise<boolean> {
    // In the plan's order; each step a conditional write, so a step done before changes nothing.
    const steps: (PutCommand | UpdateCommand | DeleteCommand)[] = [];
    if (plan.putIfAbsent) {
      steps.push(
        new PutCommand({
          TableName: tableName,
          Item: plan.putIfAbsent,
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    }
    if (plan.update) steps.push(updateIfUnchanged(plan.update));
    if (plan.delete) {
      steps.push(
        new DeleteCommand({
          TableName: tableName,
          Key: plan.delete,
          ConditionExpression: "attribute_exists(pk)",
        }),
      );
    }
    let changed = false;
    for (const step of steps) changed = (await conditional(step)) || changed;
    return changed;
  }

  /** Sets the attributes if the item still holds its version 1 value of `when`. */
  function updateIfUnchanged(update: NonNullable<ItemMigration["update"]>): UpdateCommand {
    const names: Record<string, string> = { "#when": update.when.attribute };
    const values: Record<string, unknown> = { ":when": update.when.value };
    const sets = Object.entries(update.set).map(([name, value], index) => {
      names[`#a${index}`] = name;
      values[`:a${index}`] = value;
      return `#a${index} = :a${index}`;
    });
    return new UpdateCommand({
      TableName: tableName,
      Key: update.key,
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: "attribute_exists(pk) AND #when = :when",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  /** Sends a conditional write; false when its condition said it was done already. */
  async function conditional(command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> {
    try {
      await db.send(command as PutCommand);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function stateOf(item: StoredItem): MigrationState {
  const { pk: _pk, sk: _sk, ...state } = item;
  return state as unknown as MigrationState;
}

function withoutUndefined(state: MigrationState): StoredItem {
  return Object.fromEntries(Object.entries(state).filter(([, value]) => value !== undefined));
}
