import { registerDocuments } from "../../documents/register.js";
import { LOCAL_TOKEN_REF } from "../../local/stack.js";
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
    // Locally every tenant uses the one NOTION_TOKEN; deployed stacks connect tenants explicitly.
    await adapters.store.putBinding({
      tenantId,
      provider: "notion",
      workspaceId,
      tokenRef: LOCAL_TOKEN_REF,
      disabled: false,
    });
  }
  const registered = await registerDocuments(
    { store: adapters.store, syncQueue: adapters.syncQueue, clock: { now: () => new Date() } },
    {
      tenantId,
      datasetId: options.dataset ?? defaults.datasetId,
      workspaceId,
      pageIds,
      embeddingModel: adapters.embedder.model,
    },
  );
  if (options.wait) {
    await waitUntilSettled(
      adapters.store,
      registered.map((document) => document.documentId),
      options.timeout,
    );
  }
  const [first] = registered;
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
