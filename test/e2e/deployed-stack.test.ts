/**
 * A "deployed stack" made of stand-ins: CloudFormation (the stack's outputs), Secrets Manager (the
 * Pinecone key and Notion tokens, readable only as the functions' role may), DynamoDB, SQS, Pinecone
 * (which insists on the key) and Notion. The CLI finds everything through `--stack NAME` or
 * NOTION_INDEX_SYNC_STACK, as a user runs it; the real handler modules cold-start from secret
 * names alone and index a page end to end.
 */

import { execFile } from "node:child_process";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esbuildOptionsFor } from "../../infra/esbuild-options.js";
import { bundleAssets } from "../../infra/function-defaults.js";
import { createDynamoDbApiKeyStore } from "../../lib/adapters/aws/dynamodb-api-key-store.js";
import { createDynamoDbStore } from "../../lib/adapters/aws/dynamodb-store.js";
import { ensureTable } from "../../lib/adapters/aws/ensure-table.js";
import { createSqsPublisher } from "../../lib/adapters/aws/sqs-queue.js";
import { createQueryClient } from "../../lib/client/query-client.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { newApiKey } from "../../lib/retrieval/api-keys.js";
import { startAwsStandIns } from "../../local/aws-stand-ins.js";
import { type CloudFormationStandIn, startCloudFormationServer } from "../../local/cloudformation-server.js";
import { type FunctionUrlHandler, startFunctionUrlServer } from "../../local/function-url-server.js";
import { type IamStandIn, startIamServer } from "../../local/iam-server.js";
import { paragraph } from "../../local/notion-blocks.js";
import { type NotionStandIn, startNotionServer } from "../../local/notion-server.js";
import { NotionWorkspace } from "../../local/notion-workspace.js";
import { startPineconeServer } from "../../local/pinecone-server.js";
import { type SchedulerStandIn, startSchedulerServer } from "../../local/scheduler-server.js";
import { type SecretsManagerStandIn, startSecretsManagerServer } from "../../local/secrets-manager-server.js";
import { TEST_NOTION_RATE } from "../support/harness.js";

const execFileAsync = promisify(execFile);
/** The environment before any test sets the functions' settings in this process. */
const BASE_ENV = { ...process.env };
const BIN = fileURLToPath(new URL("../../bin/notion-index-sync.js", import.meta.url));

const STACK = "NisTest";
const PREFIX = `notion-index-sync/${STACK}/notion/`;
const PINECONE_SECRET = "notion-index-sync/pinecone-api-key";
const PINECONE_KEY = "pcsk_deployed-pinecone-key";
const NOTION_TOKEN = "ntn_deployed-notion-token";
const TABLE = "nis-test-table";
const DIMENSION = 64;
const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
const stoppers: (() => Promise<unknown>)[] = [];
let cwd: string;
let sm: SecretsManagerStandIn;
let notion: NotionStandIn;
let cfn: CloudFormationStandIn;
let iam: IamStandIn;
let scheduler: SchedulerStandIn;
/** What the functions' roles may read (infra/secret-access.ts): the Pinecone key and the token prefix. */
const functionsMayRead = (name: string) => name === PINECONE_SECRET || name.startsWith(PREFIX);
/**
 * `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>` → the name. The stand-in's
 * six characters are base64url, so `-` and `_` among them too (an alphanumeric pattern failed about 1 run in 6).
 */
const secretNameOf = (arn: string) => arn.split(":secret:")[1]?.replace(/-[A-Za-z0-9_-]{6}$/, "") ?? "";
/** The roles whose policies grant the secrets (infra/secret-access.ts): sync and index, not query. */
const READER_ROLES = ["NisTest-SyncFunctionRole", "NisTest-IndexFunctionRole"];
/** The endpoints a test points the real AWS clients at; everything else comes from the stack. */
let endpoints: Record<string, string>;
let sqs: SQSClient;
let store: ReturnType<typeof createDynamoDbStore>;
let queues: Record<"sync" | "index" | "syncDlq" | "indexDlq", { queueUrl: string; queueArn: string }>;
let pageId: string;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "nis-deployed-"));
  const aws = await startAwsStandIns({ visibilityTimeoutSeconds: 30 });
  stoppers.push(() => aws.close());
  const { sqsServer } = aws;
  queues = {
    sync: aws.queues.syncQueue,
    index: aws.queues.indexQueue,
    syncDlq: aws.queues.syncDlq,
    indexDlq: aws.queues.indexDlq,
  };
  const pinecone = await startPineconeServer({ dimension: DIMENSION, apiKey: PINECONE_KEY });
  stoppers.push(() => pinecone.close());
  const workspace = new NotionWorkspace();
  pageId = workspace.addPage({
    title: "Runbook",
    blocks: [paragraph("Page the on-call engineer when the database is down.")],
  });
  notion = await startNotionServer({ workspace, tokens: [NOTION_TOKEN], rateLimit: TEST_NOTION_RATE });
  stoppers.push(() => notion.close());
  sm = await startSecretsManagerServer({
    secrets: { [PINECONE_SECRET]: PINECONE_KEY, "elsewhere/notion-token": NOTION_TOKEN },
    canRead: functionsMayRead,
  });
  stoppers.push(() => sm.close());
  // What doctor reads besides the outputs: the functions' roles, IAM's simulator, the schedules.
  iam = await startIamServer({
    decide: (role, action, resource) =>
      action === "secretsmanager:GetSecretValue" &&
      READER_ROLES.includes(role.split("/").at(-1) ?? "") &&
      functionsMayRead(secretNameOf(resource))
        ? "allowed"
        : "implicitDeny",
  });
  stoppers.push(() => iam.close());
  scheduler = await startSchedulerServer({
    schedules: [
      { name: "NisTest-SweepSchedule", state: "ENABLED", expression: "rate(5 minutes)" },
      { name: "NisTest-ReconcileSchedule", state: "DISABLED", expression: "cron(30 3 * * ? *)" },
    ],
  });
  stoppers.push(() => scheduler.close());
  cfn = await startCloudFormationServer({
    stacks: [
      {
        name: STACK,
        resources: [
          {
            logicalId: "SyncFunctionRole3B84D8FF",
            physicalId: "NisTest-SyncFunctionRole",
            type: "AWS::IAM::Role",
          },
          {
            logicalId: "IndexFunctionRole5A0EEB60",
            physicalId: "NisTest-IndexFunctionRole",
            type: "AWS::IAM::Role",
          },
          {
            logicalId: "QueryFunctionRole995CB04B",
            physicalId: "NisTest-QueryFunctionRole",
            type: "AWS::IAM::Role",
          },
        ],
        outputs: {
          SweepScheduleName: "NisTest-SweepSchedule",
          ReconcileScheduleName: "NisTest-ReconcileSchedule",
          TableName: TABLE,
          SyncQueueUrl: queues.sync.queueUrl,
          IndexQueueUrl: queues.index.queueUrl,
          SyncDeadLetterQueueUrl: queues.syncDlq.queueUrl,
          IndexDeadLetterQueueUrl: queues.indexDlq.queueUrl,
          PineconeIndexHost: pinecone.url,
          PineconeApiKeySecretName: PINECONE_SECRET,
          NotionTokenSecretPrefix: PREFIX,
          EmbeddingProvider: "local",
          EmbeddingModel: "local-hash-v1",
          EmbeddingDimension: String(DIMENSION),
          SyncFunctionName: "nis-sync",
          IndexFunctionName: "nis-index",
          AlarmTopicArn: "arn:aws:sns:us-east-1:000000000000:alarms",
        },
      },
    ],
  });
  stoppers.push(() => cfn.close());

  const dynamodbEndpoint = aws.dynamodbEndpoint;
  endpoints = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
    SQS_ENDPOINT: sqsServer.url,
    SECRETS_MANAGER_ENDPOINT: sm.url,
    CLOUDFORMATION_ENDPOINT: cfn.url,
    IAM_ENDPOINT: iam.url,
    SCHEDULER_ENDPOINT: scheduler.url,
    PINECONE_CONTROLLER_HOST: pinecone.url,
    NOTION_BASE_URL: notion.url,
  };
  const dynamodb = new DynamoDBClient({
    region: "us-east-1",
    endpoint: dynamodbEndpoint,
    credentials: CREDENTIALS,
  });
  await ensureTable(dynamodb, TABLE);
  store = createDynamoDbStore(dynamodb, TABLE);
  sqs = new SQSClient({ region: "us-east-1", endpoint: sqsServer.url, credentials: CREDENTIALS });
}, 60_000);

afterAll(async () => {
  // Undo the functions' settings a test put into this process's environment.
  for (const name of Object.keys(process.env)) if (!(name in BASE_ENV)) delete process.env[name];
  Object.assign(process.env, BASE_ENV);
  for (const stop of stoppers.reverse()) await stop();
  await rm(cwd, { recursive: true, force: true });
});

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in a directory with no local stack, with no key or stack setting but what `extra` adds. */
async function cli(args: string[], extra: Record<string, string> = {}): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...BASE_ENV, ...endpoints, POWERTOOLS_LOG_LEVEL: "ERROR", ...extra };
  for (const name of ["PINECONE_API_KEY", "PINECONE_INDEX_HOST", "TABLE_NAME", "NOTION_INDEX_SYNC_STACK"]) {
    if (!(name in extra)) delete env[name];
  }
  if (!("NOTION_TOKEN" in extra)) delete env.NOTION_TOKEN;
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [BIN, ...args], {
      cwd,
      env,
      timeout: 45_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === "number" ? failed.code : -1,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? "",
    };
  }
}

async function cliJson<T>(args: string[], extra?: Record<string, string>): Promise<T> {
  const result = await cli([...args, "--json"], extra);
  if (result.code !== 0) throw new Error(`${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

function expectOneLineFailure(result: RunResult, reason: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(reason);
}

/** Receives every visible message of a queue as an SQS event, deleting them as Lambda would. */
async function takeEvent(queue: { queueUrl: string; queueArn: string }): Promise<SQSEvent> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, MaxNumberOfMessages: 10, AttributeNames: ["All"] }),
  );
  for (const message of Messages) {
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
  }
  return {
    Records: Messages.map((message) => ({
      messageId: message.MessageId ?? "",
      receiptHandle: message.ReceiptHandle ?? "",
      body: message.Body ?? "",
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(Date.now()),
        SenderId: "test",
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN: queue.queueArn,
      awsRegion: "us-east-1",
    })),
  };
}

/** The functions' environment as the stack sets it: names of secrets, no key, no token. */
function functionsEnvironment(): Record<string, string | undefined> {
  return {
    ...endpoints,
    TABLE_NAME: TABLE,
    SYNC_QUEUE_URL: queues.sync.queueUrl,
    INDEX_QUEUE_URL: queues.index.queueUrl,
    SYNC_DEAD_LETTER_QUEUE_URL: queues.syncDlq.queueUrl,
    INDEX_DEAD_LETTER_QUEUE_URL: queues.indexDlq.queueUrl,
    PINECONE_INDEX_HOST: endpoints.PINECONE_CONTROLLER_HOST,
    PINECONE_API_KEY_SECRET_NAME: PINECONE_SECRET,
    EMBEDDING_PROVIDER: "local",
    EMBEDDING_DIMENSION: String(DIMENSION),
  };
}

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "256",
    awsRequestId: `request-${functionName}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "test",
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe("the CLI against a deployed stack (--stack NAME)", () => {
  it("connect stores NOTION_TOKEN in a new secret under the stack's prefix, then replaces it on reconnect", async () => {
    const first = await cliJson<{ tokenRef: string; secret: { name: string; created: boolean } }>(
      ["--stack", STACK, "connect", "--tenant", "acme", "--workspace", "ws-1"],
      { NOTION_TOKEN: "ntn_first-value" },
    );
    expect(first.secret).toMatchObject({ name: `${PREFIX}acme/ws-1`, created: true });
    expect(first.tokenRef).toBe(`secretsmanager:${sm.secret(`${PREFIX}acme/ws-1`)?.arn}`);
    expect(JSON.stringify(first)).not.toContain("ntn_first-value");

    const again = await cliJson<{ secret: { created: boolean } }>(
      ["--stack", STACK, "connect", "--tenant", "acme", "--workspace", "ws-1"],
      { NOTION_TOKEN },
    );
    expect(again.secret.created).toBe(false);
    expect(sm.secret(`${PREFIX}acme/ws-1`)?.value).toBe(NOTION_TOKEN);
    expect(await store.getBinding("acme", "ws-1")).toMatchObject({
      tokenRef: first.tokenRef,
      disabled: false,
    });
  });

  it("refuses a token secret the functions could not read, and a stack that does not exist, in one line", async () => {
    const [outside, missing] = await Promise.all([
      cli([
        "--stack",
        STACK,
        "connect",
        "--tenant",
        "acme",
        "--workspace",
        "ws-2",
        "--token-secret",
        "elsewhere/notion-token",
        "--json",
      ]),
      cli(["--stack", "Missing", "status", "--json"]),
    ]);
    expectOneLineFailure(outside, new RegExp(`secret elsewhere/notion-token is outside ${PREFIX}`));
    expectOneLineFailure(missing, /stack Missing does not exist/);
  });

  it("registers a page, the functions cold-start from secret names and index it, and status and query see it", async () => {
    const added = await cliJson<{ documentId: string; datasetId: string; tenantId: string }>(
      ["add", pageId, "--tenant", "acme", "--workspace", "ws-1", "--dataset", "handbook"],
      { NOTION_INDEX_SYNC_STACK: STACK },
    );
    expect(added).toMatchObject({ datasetId: "handbook", tenantId: "acme" });

    Object.assign(process.env, functionsEnvironment());
    delete process.env.PINECONE_API_KEY;
    delete process.env.NOTION_TOKEN;
    const sync: { handler: Handler } = await import("../../functions/sync/handler.js");
    const index: { handler: Handler } = await import("../../functions/index/handler.js");
    expect(process.env.PINECONE_API_KEY).toBeUndefined();

    const syncEvent = await takeEvent(queues.sync);
    expect(syncEvent.Records).toHaveLength(1);
    expect(await sync.handler(syncEvent, lambdaContext("nis-sync"))).toEqual({ batchItemFailures: [] });
    const indexEvent = await takeEvent(queues.index);
    expect(indexEvent.Records).toHaveLength(1);
    expect(await index.handler(indexEvent, lambdaContext("nis-index"))).toEqual({ batchItemFailures: [] });

    const [status, query] = await Promise.all([
      cliJson<{ documents: { documentId: string; indexingStatus: string; segmentCount: number }[] }>([
        "--stack",
        STACK,
        "status",
      ]),
      cliJson<{ matches: { documentId: string; content: string }[] }>(
        ["query", "who do I page when the database is down?", "--tenant", "acme", "--dataset", "handbook"],
        { NOTION_INDEX_SYNC_STACK: STACK },
      ),
    ]);
    expect(status.documents).toEqual([
      expect.objectContaining({ documentId: added.documentId, indexingStatus: "completed", segmentCount: 1 }),
    ]);
    expect(query.matches[0]).toMatchObject({ documentId: added.documentId });
    expect(query.matches[0]?.content).toContain("on-call engineer");
  });
});

describe("the deployed sync function's bundle", () => {
  it("refuses a binding whose token reference is env:AWS_SECRET_ACCESS_KEY, and Notion never sees the variable", async () => {
    // The bundle `cdk deploy` uploads, built with the stack's own esbuild options.
    const outdir = await mkdtemp(join(tmpdir(), "nis-bundle-"));
    stoppers.push(() => rm(outdir, { recursive: true, force: true }));
    const options = esbuildOptionsFor("functions/sync/handler.ts", outdir);
    // Without its source map, which would only make Vitest warn about the sources it points to.
    await build({ ...options, sourcemap: false });

    const awsSecret = "aws-secret-access-key-that-must-stay-home";
    Object.assign(process.env, functionsEnvironment(), { AWS_SECRET_ACCESS_KEY: awsSecret });
    try {
      await store.putBinding({
        tenantId: "mallory",
        provider: "notion",
        workspaceId: "ws-env",
        tokenRef: "env:AWS_SECRET_ACCESS_KEY",
        disabled: false,
      });
      // Registered as a producer would (`add` itself refuses such a binding before registering).
      const [added] = await registerDocuments(
        { store, syncQueue: createSqsPublisher(sqs, queues.sync.queueUrl), clock: { now: () => new Date() } },
        {
          tenantId: "mallory",
          datasetId: "mallory-ds",
          workspaceId: "ws-env",
          pageIds: [pageId],
          embeddingModel: "local-hash-v1",
        },
      );
      if (!added) throw new Error("nothing registered");
      const bundled: { handler: Handler } = await import(pathToFileURL(options.outfile as string).href);
      notion.resetCounts();
      const event = await takeEvent(queues.sync);
      expect(event.Records).toHaveLength(1);
      // A permanent failure: the document says why, and the record is not retried.
      expect(await bundled.handler(event, lambdaContext("nis-sync"))).toEqual({ batchItemFailures: [] });
      const document = await store.getDocument(added.documentId);
      expect(document?.indexingStatus).toBe("error");
      expect(document?.error).toMatch(/names an environment variable/);
      expect(document?.error).not.toContain(awsSecret);
      expect(notion.requestCounts()).toEqual({});
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = "local";
    }
  }, 60_000);
});

describe("the deployed query function's bundle", () => {
  it("cold-starts from secret names alone and answers a keyed query through its function URL", async () => {
    // The bundle `cdk deploy` uploads, with the assets the stack copies beside it.
    const outdir = await mkdtemp(join(tmpdir(), "nis-query-bundle-"));
    stoppers.push(() => rm(outdir, { recursive: true, force: true }));
    const entry = "functions/query/handler.ts";
    const options = esbuildOptionsFor(entry, outdir);
    await build({ ...options, sourcemap: false });
    for (const { source, name } of bundleAssets(entry)) await copyFile(source, join(outdir, name));

    Object.assign(process.env, functionsEnvironment());
    delete process.env.PINECONE_API_KEY;
    const keys = createDynamoDbApiKeyStore(
      new DynamoDBClient({
        region: "us-east-1",
        endpoint: endpoints.DYNAMODB_ENDPOINT,
        credentials: CREDENTIALS,
      }),
      TABLE,
    );
    const created = newApiKey({ tenantId: "acme", datasetIds: ["handbook"] }, new Date());
    await keys.create(created.record);
    const bundled: { handler: FunctionUrlHandler } = await import(
      pathToFileURL(options.outfile as string).href
    );
    const server = await startFunctionUrlServer(bundled.handler, {
      functionName: "nis-query",
      timeoutMs: 15_000,
    });
    stoppers.push(() => server.close());

    const client = createQueryClient({ url: server.url, apiKey: created.key });
    const { matches } = await client.query({
      query: "who do I page when the database is down?",
      datasetId: "handbook",
    });
    expect(matches[0]?.content).toContain("on-call engineer");
    expect(matches[0]?.pageId).toBe(pageId);
    await expect(
      createQueryClient({ url: server.url, apiKey: `${created.key.slice(0, -1)}x` }).query({
        query: "x",
        datasetId: "handbook",
      }),
    ).rejects.toMatchObject({ status: 401, code: "unauthorized" });
  }, 60_000);
});

describe("doctor against a deployed stack", () => {
  interface Line {
    check: string;
    ok: boolean;
    detail: string;
    fix: string | null;
  }

  it("asks IAM's simulator for each reading role, reads the schedules' state, and names what fails", async () => {
    const result = await cli(["--stack", STACK, "doctor", "--timeout", "40", "--json"]);
    expect(result.code).toBe(1);
    const lines = JSON.parse(result.stdout) as Line[];
    const line = (check: string) => lines.find((entry) => entry.check === check);
    expect(line("schedule sweep")).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/enabled \(rate\(5 minutes\)\)/),
    });
    expect(line("schedule reconcile")).toMatchObject({
      ok: false,
      detail: "schedule NisTest-ReconcileSchedule is DISABLED",
      fix: expect.stringMatching(/aws scheduler update-schedule --name NisTest-ReconcileSchedule/),
    });
    // The Pinecone key: the simulator was asked for the sync and index roles, by their ARNs.
    const pinecone = lines.find((entry) => entry.check.startsWith("secret PINECONE_API_KEY"));
    expect(pinecone, JSON.stringify(pinecone)).toMatchObject({ ok: true });
    const asked = iam.simulations.filter(
      (simulation) => simulation.resource === sm.secret(PINECONE_SECRET)?.arn,
    );
    expect(asked.map((simulation) => simulation.principal).sort()).toEqual(
      READER_ROLES.map((role) => `arn:aws:iam::000000000000:role/${role}`).sort(),
    );
    expect(asked.every((simulation) => simulation.action === "secretsmanager:GetSecretValue")).toBe(true);
    // Nothing it printed holds a secret value.
    expect(result.stdout + result.stderr).not.toContain(PINECONE_KEY);
    expect(result.stdout + result.stderr).not.toContain(NOTION_TOKEN);
  });

  it("says which role may not read a secret", async () => {
    READER_ROLES.pop();
    try {
      const result = await cli(["--stack", STACK, "doctor", "--timeout", "40", "--json"]);
      const lines = JSON.parse(result.stdout) as Line[];
      const pinecone = lines.find((entry) => entry.check.startsWith("secret PINECONE_API_KEY"));
      expect(pinecone?.ok).toBe(false);
      expect(`${pinecone?.detail} ${pinecone?.fix}`).toMatch(/index function's role may not read it/);
    } finally {
      READER_ROLES.push("NisTest-IndexFunctionRole");
    }
  });
});

describe("init", () => {
  it("creates the index with the stack's embedding dimension, then finds it, and refuses a misfit", async () => {
    type Init = { name: string; created: boolean; dimension: number; metric: string; host: string };
    const created = await cliJson<Init>(["--stack", STACK, "init", "--name", "fresh-index"]);
    expect(created).toMatchObject({
      name: "fresh-index",
      created: true,
      dimension: DIMENSION,
      metric: "cosine",
    });
    expect(created.host).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_index\/fresh-index$/);
    const [again, misfit] = await Promise.all([
      cliJson<Init>(["--stack", STACK, "init", "--name", "fresh-index"]),
      cli(["--stack", STACK, "init", "--name", "fresh-index", "--dimension", "128", "--json"]),
    ]);
    expect(again).toMatchObject({ created: false, dimension: DIMENSION, host: created.host });
    expectOneLineFailure(
      misfit,
      /index fresh-index exists with dimension 64 and metric cosine, but local\/local-hash-v1 makes 128/,
    );
  });

  it("works before any deploy from PINECONE_API_KEY, and says what is missing without one", async () => {
    const [fromEnv, keyless] = await Promise.all([
      cliJson<{ created: boolean; dimension: number }>(["init", "--name", "pre-deploy"], {
        PINECONE_API_KEY: PINECONE_KEY,
        EMBEDDING_PROVIDER: "local",
        EMBEDDING_DIMENSION: "32",
      }),
      cli(["init", "--json"]),
    ]);
    expect(fromEnv).toMatchObject({ created: true, dimension: 32 });
    expectOneLineFailure(keyless, /no Pinecone API key for the environment: set PINECONE_API_KEY/);
  });
});
