/**
 * Where a CLI command sends its work: the local stack when `.notion-index-sync/local.json` exists
 * (or `--local`), otherwise a deployed stack described by the functions' own environment variables
 * (TABLE_NAME, SYNC_QUEUE_URL, …).
 */
import { type Adapters, createAdapters } from "../adapters/from-config.js";
import { loadConfig } from "../config.js";
import { PermanentError } from "../errors.js";
import { type LocalStackInfo, localEnvironment, localInfoPath, readLocalInfo } from "../local/local-info.js";

export interface Connection {
  adapters: Adapters;
  /** Set when talking to the local stack. */
  local: LocalStackInfo | undefined;
  defaults: { tenantId: string; datasetId: string; workspaceId: string };
}

export interface ConnectOptions {
  local?: boolean;
  stack?: string;
}

export async function connect(options: ConnectOptions): Promise<Connection> {
  if (options.stack) {
    throw new PermanentError(
      `--stack ${options.stack}: reading a deployed stack's outputs is not built yet; set TABLE_NAME, SYNC_QUEUE_URL, INDEX_QUEUE_URL, PINECONE_INDEX_HOST and PINECONE_API_KEY instead`,
    );
  }
  const local = await readLocalInfo();
  if (local) {
    const config = loadConfig({ ...process.env, ...localEnvironment(local) });
    const adapters = createAdapters(config);
    return { adapters, local, defaults: local.defaults };
  }
  if (options.local) {
    throw new PermanentError(
      `no local stack: ${localInfoPath()} does not exist (start one with \`npm start\`)`,
    );
  }
  if (!process.env.TABLE_NAME) {
    throw new PermanentError(
      "no stack to talk to: start the local stack with `npm start`, or set TABLE_NAME, SYNC_QUEUE_URL, INDEX_QUEUE_URL, PINECONE_INDEX_HOST and PINECONE_API_KEY for a deployed one",
    );
  }
  return {
    adapters: createAdapters(loadConfig(process.env)),
    local: undefined,
    defaults: { tenantId: "default", datasetId: "default", workspaceId: "default" },
  };
}
