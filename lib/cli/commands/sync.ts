import { sqsQueueDepth } from "../../adapters/aws/queue-depth.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";
import { withProgress } from "../progress.js";
import { plural } from "../table.js";
import { documentScope, knownTenant } from "./known.js";
import { waitForQueuesToDrain } from "./wait.js";

export interface SyncCommandOptions {
  dataset?: string;
  /** The dataset's tenant (default: the one tenant that has a dataset of that id), or all its documents. */
  tenant?: string;
  document?: string;
  /** Wait until the pipeline has handled the messages, then say how the documents stand. */
  wait?: boolean;
  timeout?: number;
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
    targets = await store.listDocuments(await documentScope(store, options));
  }
  for (const { tenantId, datasetId, documentId } of targets) {
    await syncQueue.send({ tenantId, datasetId, documentId });
  }
  if (!options.wait) {
    if (options.json)
      printJson({ queued: targets.map(({ datasetId, documentId }) => ({ datasetId, documentId })) });
    else printLine(`queued ${plural(targets.length, "sync message")}`);
    return;
  }
  await waitForPipeline(connection, `syncing ${plural(targets.length, "document")}`, options);
  const documents = await Promise.all(targets.map(({ documentId }) => store.getDocument(documentId)));
  const statuses = documents.map((document) => document?.indexingStatus ?? "removed");
  if (options.json) {
    printJson({
      queued: targets.map(({ datasetId, documentId }, index) => ({
        datasetId,
        documentId,
        indexingStatus: statuses[index],
      })),
    });
    return;
  }
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  const summary = [...counts].map(([status, count]) => `${count} ${status}`).join(", ");
  printLine(`synced ${plural(targets.length, "document")}: ${summary || "none"}`);
}

/** Waits, with progress, until the sync and index queues are empty. */
async function waitForPipeline(
  connection: Connection,
  text: string,
  options: { timeout?: number; json?: boolean },
) {
  await withProgress(
    `${text}: waiting for the queues to empty`,
    options,
    (progress) =>
      waitForQueuesToDrain(
        sqsQueueDepth(connection.adapters.sqs),
        [connection.queues.sync, connection.queues.index],
        options.timeout,
        (messages) => progress.update(`${text}: ${plural(messages, "message")} left in the queues`),
      ),
    () => "the queues are empty",
  );
}

/** Sends one sweep message, as the schedule does. */
export async function resyncCommand(
  connection: Connection,
  options: { dataset?: string; tenant?: string; wait?: boolean; timeout?: number; json?: boolean },
) {
  const { store } = connection.adapters;
  const target = await documentScope(store, options);
  if (options.tenant !== undefined && options.dataset === undefined) await knownTenant(store, options.tenant);
  const message = { type: "sweep" as const, datasetId: target.datasetId, tenantId: target.tenantId };
  await connection.adapters.syncQueue.send(message);
  if (options.wait) await waitForPipeline(connection, "sweeping", options);
  const scope = options.dataset ? ` of dataset ${options.dataset}` : "";
  if (options.json) printJson({ queued: message, ...(options.wait ? { handled: true } : {}) });
  else
    printLine(
      options.wait
        ? `swept${scope}: the sweep and the syncs it queued were handled`
        : `queued a sweep${scope}`,
    );
}
