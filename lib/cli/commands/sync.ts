import { PermanentError } from "../../errors.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";
import { knownDataset, knownTenant } from "./known.js";

export interface SyncCommandOptions {
  dataset?: string;
  document?: string;
  json?: boolean;
}

/** Sends unit sync messages: the seed's "has this page changed?" task. */
export async function syncCommand(connection: Connection, options: SyncCommandOptions): Promise<void> {
  const { store, syncQueue } = connection.adapters;
  let targets: { tenantId: string; datasetId: string; documentId: string }[];
  if (options.document) {
    const document = await store.getDocument(options.document);
    if (!document) throw new PermanentError(`no document ${options.document}`);
    targets = [document];
  } else {
    if (options.dataset !== undefined) await knownDataset(store, options.dataset);
    targets = await store.listDocuments({ datasetId: options.dataset });
  }
  for (const { tenantId, datasetId, documentId } of targets) {
    await syncQueue.send({ tenantId, datasetId, documentId });
  }
  if (options.json)
    printJson({ queued: targets.map(({ datasetId, documentId }) => ({ datasetId, documentId })) });
  else printLine(`queued ${targets.length} sync message(s)`);
}

/** Sends one sweep message, as the schedule does. */
export async function resyncCommand(
  connection: Connection,
  options: { dataset?: string; tenant?: string; json?: boolean },
) {
  const { store } = connection.adapters;
  if (options.dataset !== undefined) await knownDataset(store, options.dataset);
  if (options.tenant !== undefined) await knownTenant(store, options.tenant);
  const message = { type: "sweep" as const, datasetId: options.dataset, tenantId: options.tenant };
  await connection.adapters.syncQueue.send(message);
  if (options.json) printJson({ queued: message });
  else printLine(`queued a sweep${options.dataset ? ` of dataset ${options.dataset}` : ""}`);
}
