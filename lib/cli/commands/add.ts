import { registerDocuments, registerWithSubpages } from "../../documents/register.js";
import { LOCAL_TOKEN_REF } from "../../local-stack-info.js";
import { parseNotionId } from "../../notion/page-id.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";
import { waitUntilSettled } from "./wait.js";

export interface AddOptions {
  dataset?: string;
  tenant?: string;
  workspace?: string;
  json?: boolean;
  wait?: boolean;
  timeout?: number;
  /** Also register every page and database below the given pages. */
  recursive?: boolean;
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
  const registered = options.recursive
    ? await registerWithSubpages({ ...ports, secrets: adapters.secrets, notion: adapters.notion }, request)
    : await registerDocuments(ports, request);
  if (options.wait) {
    await waitUntilSettled(
      adapters.store,
      registered.map((document) => document.documentId),
      options.timeout,
    );
  }
  const [first] = registered;
  if (options.recursive && !options.json)
    printLine(`${registered.length - pageIds.length} page(s) and database(s) found below`);
  if (options.json) {
    printJson({
      documentId: first?.documentId,
      datasetId: first?.datasetId,
      tenantId: first?.tenantId,
      documents: registered,
    });
    return;
  }
  for (const document of registered) {
    const verb = document.created ? "registered" : "already registered";
    printLine(
      `${verb} ${document.pageId} as document ${document.documentId} (dataset ${document.datasetId}); sync queued`,
    );
  }
}
