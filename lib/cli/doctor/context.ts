/**
 * What every doctor check reads, built once and lazily: the stack's settings as its functions see
 * them (secret names, not values), the AWS clients, the bindings, the secrets a check has read (kept
 * in memory for the Notion and Pinecone checks, and to scrub them from any line) and, for a deployed
 * stack, its resources and the functions' roles. Nothing here fails the whole doctor: a part that
 * cannot be read fails the checks that need it.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { createDataClients } from "../../adapters/aws/aws-clients.js";
import { createHealthReads, type HealthReads } from "../../adapters/aws/dynamodb-health-reads.js";
import { createDynamoDbStore } from "../../adapters/aws/dynamodb-store.js";
import { createSecretsManagerClient } from "../../adapters/aws/secrets-manager-client.js";
import { readSecretString } from "../../adapters/aws/secrets-manager-store.js";
import {
  listStackResources,
  roleArnOf,
  type StackFacts,
  type StackResource,
} from "../../adapters/aws/stack-resources.js";
import type { DataSourceBinding } from "../../core/model.js";
import { SETTING_OUTPUTS, type SettingOutput } from "../../shared/stack-outputs.js";
import { type LocalStackInfo, localEnvironment } from "../local-stack-info.js";

/** The functions whose roles read secrets, by the construct id infra/stack.ts gives them. */
export const FUNCTIONS = {
  sync: "SyncFunction",
  index: "IndexFunction",
  webhook: "WebhookFunction",
  query: "QueryFunction",
} as const;
export type FunctionKey = keyof typeof FUNCTIONS;

export type Environment = Record<string, string | undefined>;

export interface DoctorContext {
  kind: "local" | "stack";
  /** "the local stack" or "stack NAME", for lines. */
  label: string;
  local: LocalStackInfo | undefined;
  /** A deployed stack's outputs; undefined when they could not be read (`stackError` says why). */
  stack: StackFacts | undefined;
  stackError: string | undefined;
  /** The functions' settings: the stack's outputs (or local.json) over the caller's environment. */
  env: Environment;
  defaults: { tenantId: string; datasetId: string; workspaceId: string };
  /** The longest one check may take; checks give each remote call a part of it. */
  timeoutMs: number;
  /** The most messages a work queue may hold waiting before it counts as backing up. */
  maxWaiting: number;
  dynamodb(): DynamoDBClient;
  sqs(): SQSClient;
  secretsManager(): SecretsManagerClient;
  health(): HealthReads;
  /** Every binding of the default tenant and of every tenant with a dataset. */
  bindings(): Promise<DataSourceBinding[]>;
  /** A secret's value as this caller reads it (once per secret); never printed. */
  readSecret(secretId: string): Promise<string>;
  /** Values read so far, to scrub from every line. */
  secretValues(): string[];
  stackResources(): Promise<StackResource[]>;
  /** The ARN of a function's role, from the stack's resources (undefined when the stack has none). */
  roleArn(fn: FunctionKey): Promise<string | undefined>;
  close(): void;
}

export type DoctorTarget =
  | { kind: "local"; info: LocalStackInfo }
  | { kind: "stack"; name: string; facts: StackFacts | undefined; error: string | undefined };

const DEPLOYED_DEFAULTS = { tenantId: "default", datasetId: "default", workspaceId: "default" };

export function createDoctorContext(
  target: DoctorTarget,
  options: { timeoutMs: number; maxWaiting: number; env?: NodeJS.ProcessEnv },
): DoctorContext {
  const callerEnv = options.env ?? process.env;
  const env: Environment =
    target.kind === "local"
      ? { ...callerEnv, ...localEnvironment(target.info) }
      : { ...callerEnv, ...(target.facts ? settingsOf(target.facts) : {}) };
  const region = env.AWS_REGION || "us-east-1";

  let data: { dynamodb: DynamoDBClient; sqs: SQSClient } | undefined;
  const dataClients = () => {
    data ??= createDataClients({
      AWS_REGION: region,
      DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT || undefined,
      SQS_ENDPOINT: env.SQS_ENDPOINT || undefined,
    });
    return data;
  };
  let secretsClient: SecretsManagerClient | undefined;
  const secretsManager = () => {
    secretsClient ??= createSecretsManagerClient({
      region,
      endpoint: env.SECRETS_MANAGER_ENDPOINT || undefined,
    });
    return secretsClient;
  };
  const tableName = () => {
    if (!env.TABLE_NAME) throw new Error("the stack names no table (TableName output)");
    return env.TABLE_NAME;
  };
  let health: HealthReads | undefined;
  const healthReads = () => {
    health ??= createHealthReads(dataClients().dynamodb, tableName());
    return health;
  };

  const secrets = new Map<string, Promise<string>>();
  const values = new Set<string>();
  let bindings: Promise<DataSourceBinding[]> | undefined;
  let resources: Promise<StackResource[]> | undefined;
  const defaults = target.kind === "local" ? target.info.defaults : DEPLOYED_DEFAULTS;

  const context: DoctorContext = {
    kind: target.kind,
    label: target.kind === "local" ? "the local stack" : `stack ${target.name}`,
    local: target.kind === "local" ? target.info : undefined,
    stack: target.kind === "stack" ? target.facts : undefined,
    stackError: target.kind === "stack" ? target.error : undefined,
    env,
    defaults,
    timeoutMs: options.timeoutMs,
    maxWaiting: options.maxWaiting,
    dynamodb: () => dataClients().dynamodb,
    sqs: () => dataClients().sqs,
    secretsManager,
    health: healthReads,
    bindings() {
      bindings ??= (async () => {
        const store = createDynamoDbStore(dataClients().dynamodb, tableName());
        const tenants = new Set([defaults.tenantId]);
        for (const dataset of await store.listDatasets()) tenants.add(dataset.tenantId);
        const found = await Promise.all([...tenants].map((tenant) => healthReads().bindingsOf(tenant)));
        return found.flat();
      })();
      return bindings;
    },
    readSecret(secretId) {
      let value = secrets.get(secretId);
      if (value === undefined) {
        value = readSecretString(secretsManager(), secretId).then((read) => {
          values.add(read);
          return read;
        });
        secrets.set(secretId, value);
      }
      return value;
    },
    secretValues: () => [...values],
    stackResources() {
      if (target.kind !== "stack") return Promise.resolve([]);
      resources ??= listStackResources(target.name, callerEnv);
      return resources;
    },
    async roleArn(fn) {
      const stack = context.stack;
      if (!stack) return undefined;
      const prefix = `${FUNCTIONS[fn]}Role`;
      const role = (await context.stackResources()).find(
        (resource) => resource.type === "AWS::IAM::Role" && resource.logicalId.startsWith(prefix),
      );
      return role ? roleArnOf(stack.stackId, role.physicalId) : undefined;
    },
    close() {
      data?.dynamodb.destroy();
      data?.sqs.destroy();
      secretsClient?.destroy();
    },
  };
  return context;
}

/** The settings the stack's outputs stand for (names of secrets, never values), as `--stack` reads them. */
function settingsOf(stack: StackFacts): Record<string, string> {
  const env: Record<string, string> = { AWS_REGION: stack.region };
  for (const [output, setting] of Object.entries(SETTING_OUTPUTS)) {
    const value = stack.outputs[output as SettingOutput];
    if (value) env[setting] = value;
  }
  return env;
}

/** `tenant/workspace`, as lines name a binding. */
export function bindingLabel(binding: Pick<DataSourceBinding, "tenantId" | "workspaceId">): string {
  return `${binding.tenantId}/${binding.workspaceId}`;
}

/** The command that reconnects a binding (a new token, in a new secret). */
export function reconnectCommand(
  binding: Pick<DataSourceBinding, "tenantId" | "workspaceId" | "connectedBy">,
): string {
  // A workspace connected through OAuth reconnects the same way (a new grant).
  if (binding.connectedBy === "oauth")
    return `notion-index-sync connect --oauth --tenant ${binding.tenantId}`;
  return `notion-index-sync connect --tenant ${binding.tenantId} --workspace ${binding.workspaceId}`;
}
