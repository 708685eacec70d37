/**
 * `.notion-index-sync/local.json`: where the running local stack listens. The CLI reads it to talk
 * to the local stack. It holds endpoints and names only, never a token or key. This contract lives
 * outside local/ so that the CLI can read it without loading the stand-ins (devDependencies).
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const STATE_DIR = ".notion-index-sync";
/** The local stack's Notion token (NOTION_TOKEN, or the demo's) in its Secrets Manager stand-in. */
export const LOCAL_TOKEN_SECRET = "notion-index-sync/local/notion-token";
/** The default binding's reference to it. */
export const LOCAL_TOKEN_REF = `secretsmanager:${LOCAL_TOKEN_SECRET}`;
/** Where local `connect` stores other tenants' tokens (as a deployed stack's prefix does). */
export const LOCAL_NOTION_TOKEN_PREFIX = "notion-index-sync/local/notion/";
export const LOCAL_INFO_FILE = "local.json";
/** The local OAuth function's secrets in the stand-in: the public integration's client, the state key. */
export const LOCAL_OAUTH_CLIENT_SECRET = "notion-index-sync/local/oauth-client";
export const LOCAL_OAUTH_STATE_KEY_SECRET = "notion-index-sync/local/oauth-state-key";

export interface LocalStackInfo {
  pid: number;
  startedAt: string;
  region: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  syncQueueUrl: string;
  indexQueueUrl: string;
  syncDeadLetterQueueUrl: string;
  indexDeadLetterQueueUrl: string;
  pineconeHost: string;
  pineconeIndexName: string;
  /** False when a real Pinecone index is used (its key then comes from PINECONE_API_KEY). */
  pineconeStandIn: boolean;
  notionBaseUrl: string;
  /** True when Notion is the bundled demo workspace served by the stand-in. */
  demo: boolean;
  embedding: { provider: string; model: string; dimension: number };
  leaseSeconds: number;
  /**
   * Time runs this many times faster than in AWS (default 1): Notion's rate is multiplied, and every
   * timeout, lease and checkpoint interval divided, so the ratios stay those of a deployment.
   */
  timeScale?: number;
  defaults: { tenantId: string; datasetId: string; workspaceId: string };
  /** The webhook endpoint's base URL; a binding's URL is `<webhookUrl>notion/<tenant>/<workspace>`. */
  webhookUrl?: string;
  /** The retrieval API's base URL: `POST <queryUrl>v1/query` with `Authorization: Bearer <key>`. */
  queryUrl?: string;
  /** The Secrets Manager stand-in: Notion tokens and the webhook's verification tokens. */
  secretsManagerEndpoint: string;
  webhookTokenSecretPrefix?: string;
  webhookDebounceSeconds?: number;
  /** Seconds between scheduled sweeps (0: the schedule is off); `doctor` checks it. */
  sweepIntervalSeconds?: number;
  /** The OAuth function's base URL (`<oauthUrl>oauth/start`, `<oauthUrl>oauth/callback`). */
  oauthUrl?: string;
  /** Names of its secrets in the stand-in (never their values). */
  oauthClientSecretName?: string;
  oauthStateKeySecretName?: string;
}

export function localInfoPath(stateDir: string = STATE_DIR): string {
  return join(stateDir, LOCAL_INFO_FILE);
}

export async function writeLocalInfo(info: LocalStackInfo, stateDir: string = STATE_DIR): Promise<string> {
  await mkdir(stateDir, { recursive: true });
  const path = localInfoPath(stateDir);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(info, null, 2)}\n`);
  await rename(temporary, path);
  return path;
}

export async function readLocalInfo(stateDir: string = STATE_DIR): Promise<LocalStackInfo | undefined> {
  try {
    return JSON.parse(await readFile(localInfoPath(stateDir), "utf8")) as LocalStackInfo;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * The environment the functions (and the CLI) read their configuration from, for this stack.
 * The Pinecone stand-in takes any key; a real key comes from PINECONE_API_KEY.
 */
export function localEnvironment(info: LocalStackInfo): Record<string, string> {
  const scale = info.timeScale ?? 1;
  return {
    AWS_REGION: info.region,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    DYNAMODB_ENDPOINT: info.dynamodbEndpoint,
    SQS_ENDPOINT: info.sqsEndpoint,
    TABLE_NAME: info.tableName,
    SYNC_QUEUE_URL: info.syncQueueUrl,
    INDEX_QUEUE_URL: info.indexQueueUrl,
    SYNC_DEAD_LETTER_QUEUE_URL: info.syncDeadLetterQueueUrl,
    INDEX_DEAD_LETTER_QUEUE_URL: info.indexDeadLetterQueueUrl,
    PINECONE_INDEX_HOST: info.pineconeHost,
    PINECONE_CONTROLLER_HOST: info.pineconeHost,
    PINECONE_API_KEY: info.pineconeStandIn ? "local-stand-in" : (process.env.PINECONE_API_KEY ?? ""),
    NOTION_BASE_URL: info.notionBaseUrl,
    // Notion's average of 3 requests a second per binding (the demo's stand-in enforces it too).
    NOTION_REQUESTS_PER_SECOND: String(3 * scale),
    CHECKPOINT_EVERY_SECONDS: String(60 / scale),
    STOP_BEFORE_DEADLINE_SECONDS: String(45 / scale),
    SWEEP_STOP_BEFORE_DEADLINE_SECONDS: String(20 / scale),
    EMBEDDING_PROVIDER: info.embedding.provider,
    EMBEDDING_DIMENSION: String(info.embedding.dimension),
    LEASE_SECONDS: String(info.leaseSeconds),
    SECRETS_MANAGER_ENDPOINT: info.secretsManagerEndpoint,
    ...(info.webhookTokenSecretPrefix ? { WEBHOOK_TOKEN_SECRET_PREFIX: info.webhookTokenSecretPrefix } : {}),
    ...(info.oauthStateKeySecretName && info.oauthClientSecretName
      ? {
          NOTION_TOKEN_SECRET_PREFIX: LOCAL_NOTION_TOKEN_PREFIX,
          OAUTH_CLIENT_SECRET_ID: info.oauthClientSecretName,
          OAUTH_STATE_KEY_SECRET_ID: info.oauthStateKeySecretName,
        }
      : {}),
    ...(info.webhookDebounceSeconds === undefined
      ? {}
      : { WEBHOOK_DEBOUNCE_SECONDS: String(info.webhookDebounceSeconds) }),
  };
}
