/**
 * `dataset create|set|show|reindex`: a dataset's process rule and doc form. `set` re-indexes the
 * dataset's documents when the new settings would cut them differently; `reindex` those whose vectors
 * predate the current metadata (or all of them), as an upgrade asks.
 */
import { DEFAULT_CHILD_MAX_TOKENS } from "../../chunking/rules.js";
import {
  changeDatasetSettings,
  createDataset,
  type DatasetSettings,
  defaultDataset,
} from "../../core/datasets.js";
import { AUTOMATIC_RULE, type Dataset, type ProcessRule } from "../../core/model.js";
import { reindexDataset } from "../../documents/reindex.js";
import { describeScope } from "../../scopes/scope-settings.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";
import { knownDataset } from "./known.js";
import { datasetScopeCommand, type ScopeOptions } from "./scope.js";

export interface DatasetOptions {
  tenant?: string;
  rule?: string;
  maxTokens?: number;
  overlap?: number;
  separator?: string;
  removeExtraSpaces?: boolean;
  removeUrlsEmails?: boolean;
  docForm?: string;
  parentMode?: string;
  childMaxTokens?: number;
  json?: boolean;
}

export async function datasetCreateCommand(
  connection: Connection,
  datasetId: string,
  options: DatasetOptions,
) {
  const { store, embedder } = connection.adapters;
  const tenantId = options.tenant ?? connection.defaults.tenantId;
  const now = new Date();
  const defaults = defaultDataset(tenantId, datasetId, embedder.model, now);
  const settings = settingsFrom(options, defaults);
  const dataset = await createDataset(store, {
    tenantId,
    datasetId,
    embeddingModel: embedder.model,
    settings,
    now,
  });
  if (options.json) printJson({ dataset });
  else printLine(`created dataset ${datasetId} (tenant ${tenantId}): ${describe(dataset)}`);
}

export async function datasetSetCommand(
  connection: Connection,
  datasetId: string,
  options: DatasetOptions & ScopeOptions,
) {
  if (options.scope !== undefined || options.maxDocuments !== undefined || options.root !== undefined) {
    const { parseNotionId } = await import("../../adapters/notion/extraction/page-id.js");
    await datasetScopeCommand(connection, datasetId, {
      ...options,
      ...(options.root ? { root: options.root.map(parseNotionId) } : {}),
    });
    if (!hasSettings(options)) return;
  }
  const { store, syncQueue } = connection.adapters;
  const current = await knownDataset(store, datasetId, options.tenant);
  const tenantId = current.tenantId;
  const settings = settingsFrom(options, current);
  const result = await changeDatasetSettings({ store, syncQueue }, { tenantId, datasetId, settings });
  if (options.json) {
    printJson(result);
  } else if (!result.changed) {
    printLine(`dataset ${datasetId} unchanged: ${describe(result.dataset)}`);
  } else {
    const { documents, queued } = result.reindex;
    printLine(`dataset ${datasetId}: ${describe(result.dataset)}`);
    printLine(`${queued} of ${documents} document(s) queued for re-indexing`);
  }
}

export async function datasetReindexCommand(
  connection: Connection,
  datasetId: string,
  options: { tenant?: string; all?: boolean; json?: boolean },
) {
  const { store, syncQueue } = connection.adapters;
  const dataset = await knownDataset(store, datasetId, options.tenant);
  const counts = await reindexDataset({ store, syncQueue }, dataset, {
    outdatedMetadata: true,
    all: options.all === true,
  });
  if (options.json) printJson(counts);
  else
    printLine(
      `${counts.queued} of ${counts.documents} document(s) of ${datasetId} queued for re-indexing${options.all ? "" : " (vectors older than the current metadata, or cut with other settings)"}`,
    );
}

export async function datasetShowCommand(connection: Connection, datasetId: string, options: DatasetOptions) {
  const dataset = await knownDataset(connection.adapters.store, datasetId, options.tenant);
  if (options.json) printJson({ dataset });
  else {
    printLine(`dataset ${datasetId} (tenant ${dataset.tenantId}): ${describe(dataset)}`);
    printLine(`scope: ${describeScope(dataset.scope)}${dataset.paused ? " (paused)" : ""}`);
  }
}

/** Whether any process-rule or doc-form option was given (a scope change alone leaves them). */
function hasSettings(options: DatasetOptions): boolean {
  return [
    options.rule,
    options.maxTokens,
    options.overlap,
    options.separator,
    options.removeExtraSpaces,
    options.removeUrlsEmails,
    options.docForm,
    options.parentMode,
    options.childMaxTokens,
  ].some((value) => value !== undefined);
}

/**
 * The settings the options ask for, starting from `base`. The automatic rule takes no numbers; a
 * custom one starts from the base's custom values, or from the automatic ones.
 */
export function settingsFrom(options: DatasetOptions, base: DatasetSettings): DatasetSettings {
  const mode = options.rule ?? base.processRule.mode;
  if (mode !== "automatic" && mode !== "custom")
    throw new PermanentError(`--rule must be automatic or custom, got ${mode}`);
  const docForm = options.docForm ?? base.docForm;
  if (docForm !== "text" && docForm !== "hierarchical") {
    throw new PermanentError(`--doc-form must be text or hierarchical, got ${docForm}`);
  }
  const parentMode = options.parentMode ?? base.processRule.parentMode;
  if (parentMode !== undefined && parentMode !== "paragraph" && parentMode !== "document") {
    throw new PermanentError(`--parent-mode must be paragraph or document, got ${parentMode}`);
  }
  const childMaxTokens = options.childMaxTokens ?? base.processRule.childMaxTokens;
  const rule: ProcessRule = {
    ...(mode === "automatic" ? automaticRule(options) : customRule(options, base.processRule)),
    ...(parentMode === undefined ? {} : { parentMode }),
    ...(childMaxTokens === undefined ? {} : { childMaxTokens }),
  };
  return { processRule: rule, docForm };
}

function automaticRule(options: DatasetOptions): ProcessRule {
  const custom = [
    options.maxTokens,
    options.overlap,
    options.separator,
    options.removeExtraSpaces,
    options.removeUrlsEmails,
  ];
  if (custom.some((value) => value !== undefined)) {
    throw new PermanentError(
      `--max-tokens, --overlap, --separator and the cleaning flags need --rule custom (the automatic rule is ${AUTOMATIC_RULE.maxTokens} tokens, ${AUTOMATIC_RULE.overlap} overlap)`,
    );
  }
  return { ...AUTOMATIC_RULE };
}

function customRule(options: DatasetOptions, base: ProcessRule): ProcessRule {
  const start = base.mode === "custom" ? base : AUTOMATIC_RULE;
  const separator = options.separator === undefined ? start.separator : unescapeSeparator(options.separator);
  return {
    mode: "custom",
    maxTokens: options.maxTokens ?? start.maxTokens,
    overlap: options.overlap ?? start.overlap,
    removeExtraSpaces: options.removeExtraSpaces ?? start.removeExtraSpaces,
    removeUrlsEmails: options.removeUrlsEmails ?? start.removeUrlsEmails,
    ...(separator === undefined ? {} : { separator }),
  };
}

/** `\n`, `\t` and `\\` as typed on a command line. */
function unescapeSeparator(separator: string): string {
  return separator.replace(/\\([nt\\])/g, (_, character: string) =>
    character === "n" ? "\n" : character === "t" ? "\t" : "\\",
  );
}

function describe(dataset: Dataset): string {
  const rule = dataset.processRule;
  const separator = rule.separator === undefined ? "" : `, separator ${JSON.stringify(rule.separator)}`;
  const cleaning = [
    rule.removeExtraSpaces ? "extra spaces removed" : "",
    rule.removeUrlsEmails ? "URLs and emails removed" : "",
  ]
    .filter((part) => part !== "")
    .join(", ");
  const form =
    dataset.docForm === "hierarchical"
      ? `hierarchical: ${rule.parentMode ?? "paragraph"} parents, children of ${rule.childMaxTokens ?? DEFAULT_CHILD_MAX_TOKENS} tokens`
      : "text form";
  return `${rule.mode} rule, ${rule.maxTokens} tokens, ${rule.overlap} overlap${separator}${cleaning ? `; ${cleaning}` : ""}; ${form}`;
}
