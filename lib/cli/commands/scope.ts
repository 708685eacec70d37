/**
 * Scopes on the command line (docs/scopes.md): `dataset set --scope`, `add --follow`,
 * `dataset pause|resume`, and waiting for a backfill with a progress bar.
 */
import { defaultDataset, requireDataset } from "../../core/datasets.js";
import type { Document } from "../../core/model.js";
import { pauseDataset, resumeDataset } from "../../documents/pause.js";
import { describeScope, follows } from "../../scopes/scope-settings.js";
import { type SetScopeResult, setDatasetScope } from "../../scopes/set-scope.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";
import { withProgress } from "../progress.js";
import { startProgressBar } from "../progress-bar.js";
import { isSettled } from "./documents-view.js";
import { knownDataset } from "./known.js";

export interface ScopeOptions {
  tenant?: string;
  workspace?: string;
  scope?: string;
  root?: string[];
  maxDocuments?: number;
  dryRun?: boolean;
  json?: boolean;
}

/** `dataset set D --scope …`: counts the scope, refuses it over the maximum, saves it, starts the backfill. */
export async function datasetScopeCommand(
  connection: Connection,
  datasetId: string,
  options: ScopeOptions,
  roots: string[] = options.root ?? [],
): Promise<SetScopeResult> {
  const { adapters, defaults } = connection;
  const current = await knownDataset(adapters.store, datasetId, options.tenant);
  const tenantId = current.tenantId;
  const kind = options.scope ?? current.scope?.kind;
  if (kind === undefined)
    throw new PermanentError("--max-documents needs a --scope (pages, subtree or workspace)");
  const result = await withProgress(
    kind === "pages" ? "saving the scope" : "listing the workspace to count what the scope holds",
    options,
    (progress) =>
      setDatasetScope(
        { ...adapters, clock: { now: () => new Date() } },
        {
          tenantId,
          datasetId,
          kind,
          workspaceId: options.workspace ?? current.scope?.workspaceId ?? defaults.workspaceId,
          roots: kind === "subtree" && roots.length === 0 ? (current.scope?.roots ?? []) : roots,
          ...(options.maxDocuments === undefined ? {} : { maxDocuments: options.maxDocuments }),
          ...(options.dryRun ? { dryRun: true } : {}),
          onProgress: (listed) => progress.update(`listed ${listed} objects of the workspace`),
        },
      ),
    (done) => (done.count ? `listed ${done.count.listed} objects` : "scope saved"),
  );
  if (options.json) {
    printJson(result);
    return result;
  }
  const { count, scope } = result;
  const verb = result.saved ? "now follows" : "would follow (dry run: nothing was changed)";
  printLine(`dataset ${datasetId} ${verb} ${describeScope(scope)}`);
  if (count !== undefined) {
    printLine(
      `${count.inScope} pages and databases in scope: ${count.registered} already documents, ${count.toAdd} ${result.saved ? "to be added by the backfill" : "would be added"}${count.unresolved > 0 ? `; ${count.unresolved} not placed yet (the sweep places them)` : ""}${count.incomplete ? "; Notion cut the listing short: these are lower bounds" : ""}`,
    );
  }
  if (!result.saved && result.wouldHold > scope.maxDocuments) {
    printLine(
      `that is ${result.wouldHold} documents, more than the maximum of ${scope.maxDocuments}: without --dry-run it would be refused (raise it with --max-documents)`,
    );
  }
  if (result.saved && follows(scope)) {
    printLine(`backfill queued: follow it with \`notion-index-sync status --dataset ${datasetId}\``);
  }
  if (result.rechecked > 0)
    printLine(`${result.rechecked} document(s) found by the old scope queued for a check`);
  return result;
}

/** `add --follow ROOT…`: the dataset follows the subtrees under these pages and databases. */
export async function followCommand(
  connection: Connection,
  roots: string[],
  options: ScopeOptions & { dataset?: string; wait?: boolean; timeout?: number },
): Promise<void> {
  const { adapters, defaults } = connection;
  const tenantId = options.tenant ?? defaults.tenantId;
  const datasetId = options.dataset ?? defaults.datasetId;
  const dataset = await adapters.store.ensureDataset(
    defaultDataset(tenantId, datasetId, adapters.embedder.model, new Date()),
  );
  if (dataset.tenantId !== tenantId)
    throw new PermanentError(`dataset ${datasetId} belongs to another tenant`);
  const previousRoots = dataset.scope?.kind === "subtree" ? dataset.scope.roots : [];
  await datasetScopeCommand(connection, datasetId, { ...options, scope: "subtree" }, [
    ...new Set([...previousRoots, ...roots]),
  ]);
  if (options.wait && !options.dryRun) await waitForBackfill(connection, tenantId, datasetId, options);
}

/** Waits until the backfill has registered the scope and every document settled, drawing its progress. */
export async function waitForBackfill(
  connection: Connection,
  tenantId: string,
  datasetId: string,
  options: { json?: boolean; timeout?: number },
): Promise<Document[]> {
  const { store } = connection.adapters;
  const timeoutSeconds = options.timeout ?? 3600;
  const deadline = Date.now() + timeoutSeconds * 1000;
  const bar = await startProgressBar(`indexing dataset ${datasetId}`, "documents indexed", options);
  try {
    for (;;) {
      const dataset = await requireDataset(store, tenantId, datasetId);
      const documents = await store.listDocuments({ tenantId, datasetId });
      const settled = documents.filter(
        (document) => (document.generation > 0 || document.indexingStatus === "error") && isSettled(document),
      ).length;
      const listing = dataset.scope?.backfillPending === true;
      bar.update(settled, documents.length, listing ? "still finding pages" : undefined);
      if (!listing && settled === documents.length) {
        bar.succeed(`${documents.length} document(s) of ${datasetId} settled`);
        return documents;
      }
      if (dataset.paused)
        throw new PermanentError(
          `dataset ${datasetId} is paused: resume it with \`dataset resume ${datasetId}\``,
        );
      if (Date.now() > deadline) {
        throw new PermanentError(
          `the backfill of ${datasetId} did not finish within ${timeoutSeconds} s (${settled} of ${documents.length} settled); it goes on: follow it with \`status --dataset ${datasetId}\``,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    bar.stop();
    throw error;
  }
}

export async function datasetPauseCommand(
  connection: Connection,
  datasetId: string,
  options: { tenant?: string; json?: boolean },
) {
  const { tenantId } = await knownDataset(connection.adapters.store, datasetId, options.tenant);
  const dataset = await pauseDataset(connection.adapters.store, tenantId, datasetId);
  if (options.json) printJson({ dataset });
  else
    printLine(
      `dataset ${datasetId} paused: its syncs and discovery wait until \`dataset resume ${datasetId}\``,
    );
}

export async function datasetResumeCommand(
  connection: Connection,
  datasetId: string,
  options: { tenant?: string; json?: boolean },
) {
  const { tenantId } = await knownDataset(connection.adapters.store, datasetId, options.tenant);
  const result = await resumeDataset(connection.adapters, tenantId, datasetId);
  if (options.json) printJson(result);
  else
    printLine(
      `dataset ${datasetId} resumed: ${result.queued} document(s) queued${follows(result.dataset.scope) ? "; discovery goes on" : ""}`,
    );
}
