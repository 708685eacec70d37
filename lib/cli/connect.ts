/**
 * Where a CLI command sends its work, in this order:
 * 1. `--stack NAME`: a deployed stack, found through its CloudFormation outputs;
 * 2. `--local`: the local stack (`.notion-index-sync/local.json` must exist);
 * 3. NOTION_INDEX_SYNC_STACK: a deployed stack by name;
 * 4. `.notion-index-sync/local.json`: the local stack;
 * 5. the functions' own environment variables (TABLE_NAME, SYNC_QUEUE_URL, …).
 * Secret settings (`*_SECRET_NAME` / `*_SECRET_ARN`) are read from Secrets Manager as in the functions.
 */

import {
  type DeployedStack,
  describeDeployedStack,
  stackEnvironment,
} from "../adapters/aws/deployed-stack.js";
import { resolveSecretEnvironment } from "../adapters/aws/resolve-environment.js";
import { type Config, loadConfig } from "../composition/config.js";
import { type Adapters, createAdapters } from "../composition/from-config.js";
import { PermanentError } from "../shared/errors.js";
import { type LocalStackInfo, localEnvironment, localInfoPath, readLocalInfo } from "./local-stack-info.js";

export interface Connection {
  adapters: Adapters;
  /** Set when talking to the local stack. */
  local: LocalStackInfo | undefined;
  /** Set when talking to a deployed stack through its outputs. */
  stack?: DeployedStack;
  defaults: { tenantId: string; datasetId: string; workspaceId: string };
  /** The stack's table (commands that work on it as a whole: `migrate`). */
  tableName?: string;
  /** The work queues' URLs, for commands that wait for the pipeline to finish (`sync --wait`). */
  queues: { sync: string; index: string };
  /** The dead-letter queues' URLs (`dlq`), where the configuration names them. */
  deadLetterQueues?: { sync?: string; index?: string };
}

export interface ConnectOptions {
  local?: boolean;
  stack?: string;
}

/** The environment variable that names a deployed stack, like `--stack`. */
export const STACK_VARIABLE = "NOTION_INDEX_SYNC_STACK";

const DEPLOYED_DEFAULTS = { tenantId: "default", datasetId: "default", workspaceId: "default" };

export type Target =
  | { kind: "stack"; name: string }
  | { kind: "local"; info: LocalStackInfo }
  | { kind: "environment" };

/** Which stack the options and the environment point at (see the order above). */
export async function resolveTarget(options: ConnectOptions, env = process.env): Promise<Target> {
  if (options.stack) return { kind: "stack", name: options.stack };
  if (!options.local && env[STACK_VARIABLE]) return { kind: "stack", name: env[STACK_VARIABLE] };
  const info = await readLocalInfo();
  if (info) return { kind: "local", info };
  if (options.local) {
    throw new PermanentError(
      `no local stack: ${localInfoPath()} does not exist (start one with \`npm start\`)`,
    );
  }
  return { kind: "environment" };
}

export async function connect(options: ConnectOptions): Promise<Connection> {
  const target = await resolveTarget(options);
  if (target.kind === "stack") {
    const stack = await describeDeployedStack(target.name);
    const env = await resolveSecretEnvironment({ ...process.env, ...stackEnvironment(stack) });
    const config = loadConfig(env);
    return {
      adapters: createAdapters(config),
      tableName: config.TABLE_NAME,
      local: undefined,
      stack,
      defaults: DEPLOYED_DEFAULTS,
      queues: queuesOf(config),
      deadLetterQueues: deadLetterQueuesOf(config),
    };
  }
  if (target.kind === "local") {
    const config = loadConfig({ ...process.env, ...localEnvironment(target.info) });
    return {
      adapters: createAdapters(config),
      tableName: config.TABLE_NAME,
      local: target.info,
      defaults: target.info.defaults,
      queues: queuesOf(config),
      deadLetterQueues: deadLetterQueuesOf(config),
    };
  }
  if (!process.env.TABLE_NAME) {
    throw new PermanentError(
      `no stack to talk to: start the local stack with \`npm start\`, pass --stack NAME (or set ${STACK_VARIABLE}) for a deployed one, or set TABLE_NAME, SYNC_QUEUE_URL, INDEX_QUEUE_URL, PINECONE_INDEX_HOST and PINECONE_API_KEY`,
    );
  }
  const config = loadConfig(await resolveSecretEnvironment(process.env));
  return {
    adapters: createAdapters(config),
    tableName: config.TABLE_NAME,
    local: undefined,
    defaults: DEPLOYED_DEFAULTS,
    queues: queuesOf(config),
    deadLetterQueues: deadLetterQueuesOf(config),
  };
}

function queuesOf(config: Config): Connection["queues"] {
  return { sync: config.SYNC_QUEUE_URL, index: config.INDEX_QUEUE_URL };
}

function deadLetterQueuesOf(config: Config): Connection["deadLetterQueues"] {
  return { sync: config.SYNC_DEAD_LETTER_QUEUE_URL, index: config.INDEX_DEAD_LETTER_QUEUE_URL };
}
