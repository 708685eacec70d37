import { parseNotionId } from "../../adapters/notion/extraction/page-id.js";
import { checkVisibleInNotion, registerDocuments } from "../../documents/register.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { LOCAL_TOKEN_REF } from "../local-stack-info.js";
import { printJson, printLine } from "../output.js";
import { withProgress } from "../progress.js";
import { plural } from "../table.js";
import { waitUntilSettled } from "./wait.js";

export interface AddOptions {
  dataset?: string;
  tenant?: string;
  workspace?: string;
  json?: boolean;
  wait?: boolean;
  timeout?: number;
}

export async function addCommand(
  connection: Connection,
  inputs: string[],
  options: AddOptions,
): Promise<void> {
  const { adapters, defaults } = connection;
  const tenantId = options.tenant ?? defaults.tenantId;
  const workspaceId = options.workspace ?? defaults.workspaceId;
  const pageIds = inputs.map(parseNotionId);
  if (connection.local && !(await adapters.store.getBinding(tenantId, workspaceId))) {
    // Locally a tenant not connected otherwise uses the local stack's token; deployed stacks connect
    // tenants explicitly.
    await adapters.store.putBinding({
      tenantId,
      provider: "notion",
      workspaceId,
      tokenRef: LOCAL_TOKEN_REF,
      disabled: false,
    });
  }
  const ports = { store: adapters.store, syncQueue: adapters.syncQueue, clock: { now: () => new Date() } };
  const request = {
    tenantId,
    datasetId: options.dataset ?? defaults.datasetId,
    workspaceId,
    pageIds,
    embeddingModel: adapters.embedder.model,
  };
  const notionPorts = { ...ports, secrets: adapters.secrets, notion: adapters.notion };
  await checkVisibleInNotion(notionPorts, request);
  const registered = await registerDocuments(ports, request);
  const settled = options.wait
    ? await withProgress(
        `waiting for ${plural(registered.length, "document")} to be indexed`,
        options,
        (progress) =>
          waitUntilSettled(
            adapters.store,
            registered.map((document) => document.documentId),
            options.timeout ?? 120,
            (done, total) => progress.update(`indexed ${done} of ${plural(total, "document")}`),
          ),
        (documents) => `${plural(documents.length, "document")} settled`,
      )
    : undefined;
  const outcomes = registered.map((document, index) => {
    const after = settled?.[index];
    return after
      ? { ...document, indexingStatus: after.indexingStatus, error: after.error ?? null }
      : document;
  });
  const [first] = registered;
  if (options.json) {
    printJson({
      documentId: first?.documentId,
      datasetId: first?.datasetId,
      tenantId: first?.tenantId,
      documents: outcomes,
    });
  } else {
    for (const document of outcomes) {
      const verb = document.created ? "registered" : "already registered";
      const outcome =
        "indexingStatus" in document
          ? `: ${document.indexingStatus}${document.error ? ` (${document.error})` : ""}`
          : "; sync queued";
      printLine(
        `${verb} ${document.pageId} as document ${document.documentId} (dataset ${document.datasetId})${outcome}`,
      );
    }
  }
  // --wait answers whether the pages made it into the index.
  const failed = (settled ?? []).filter((document) =>
    ["error", "archived"].includes(document.indexingStatus),
  );
  if (failed.length > 0) {
    const reasons = failed.map(
      (document) =>
        `${document.documentId} ${document.indexingStatus}${document.error ? `: ${document.error}` : ""}`,
    );
    throw new PermanentError(`${failed.length} of ${registered.length} not indexed: ${reasons.join("; ")}`);
  }
}
