/**
 * Assertions on the synthesized CloudFormation template. Values are read from the template and
 * compared with each other (queue vs its consumer, schedule vs its role) rather than hard-coded,
 * so the tests keep holding when the configuration changes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { App, RemovalPolicy, Stack } from "aws-cdk-lib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import {
  CONTEXT_KEYS,
  DEFAULTS,
  PINECONE_INDEX_HOST_PATTERN,
  parseStackConfig,
  StackConfigError,
} from "../../infra/config.js";
import { esbuildOptionsFor } from "../../infra/esbuild-options.js";
import { ServiceFunction } from "../../infra/function-defaults.js";
import { resolveSecretEnvironment } from "../../lib/adapters/aws/resolve-environment.js";
import { loadConfig } from "../../lib/composition/config.js";
import {
  actionsOf,
  buildStack,
  cdkJson,
  getAtt,
  type Json,
  logicalId,
  PLACEHOLDER_HOST,
  props,
  resource,
  resourcesOf,
  type Statement,
  sendTargets,
  statementsOfRole,
  tempOutdir,
  X_RAY_ACTIONS,
} from "./template-helpers.js";

describe("NotionIndexSyncStack (bundling skipped)", () => {
  const { stack, config, template } = buildStack();
  const ids = {
    table: logicalId(stack, stack.table),
    syncQueue: logicalId(stack, stack.sync.queue),
    syncDlq: logicalId(stack, stack.sync.deadLetterQueue),
    indexQueue: logicalId(stack, stack.index.queue),
    indexDlq: logicalId(stack, stack.index.deadLetterQueue),
    syncFn: logicalId(stack, stack.sync.fn.function),
    indexFn: logicalId(stack, stack.index.fn.function),
    syncRole: logicalId(stack, stack.sync.fn.role),
    indexRole: logicalId(stack, stack.index.fn.role),
  };
  const pairs = [
    {
      name: "sync",
      queue: ids.syncQueue,
      dlq: ids.syncDlq,
      dlqVariable: "SYNC_DEAD_LETTER_QUEUE_URL",
      fn: ids.syncFn,
      settings: config.sync,
    },
    {
      name: "index",
      queue: ids.indexQueue,
      dlq: ids.indexDlq,
      dlqVariable: "INDEX_DEAD_LETTER_QUEUE_URL",
      fn: ids.indexFn,
      settings: config.index,
    },
  ];

  it("has the stack name from context", () => {
    expect(stack.stackName).toBe("NotionIndexSync");
  });

  it("has four queues, every one SQS-encrypted and TLS-only", () => {
    template.resourceCountIs("AWS::SQS::Queue", 4);
    template.allResourcesProperties("AWS::SQS::Queue", { SqsManagedSseEnabled: true });
    template.resourceCountIs("AWS::SQS::QueuePolicy", 4);
    template.allResourcesProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: [
          { Effect: "Deny", Action: "sqs:*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ],
      },
    });
  });

  it.each(pairs)("$name queue redrives to its own DLQ after maxReceiveCount receives", ({ queue, dlq }) => {
    expect(props(template, queue).RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt(dlq),
      maxReceiveCount: config.maxReceiveCount,
    });
    expect(props(template, dlq).RedrivePolicy).toBeUndefined();
  });

  it("gives every consumed queue a visibility timeout of at least 6 x its consumer's timeout", () => {
    const mappings = Object.values(template.findResources("AWS::Lambda::EventSourceMapping"));
    expect(mappings).toHaveLength(2);
    for (const mapping of mappings) {
      const p = mapping.Properties as {
        EventSourceArn: { "Fn::GetAtt": [string] };
        FunctionName: { Ref: string };
      };
      const visibility = props(template, p.EventSourceArn["Fn::GetAtt"][0]).VisibilityTimeout as number;
      const timeout = props(template, p.FunctionName.Ref).Timeout as number;
      expect(timeout).toBeGreaterThan(0);
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    }
  });

  it.each(pairs)(
    "$name function consumes its queue with partial batch failures",
    ({ queue, fn, settings }) => {
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        EventSourceArn: getAtt(queue),
        FunctionName: { Ref: fn },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        BatchSize: settings.batchSize,
        ScalingConfig: { MaximumConcurrency: settings.maxConcurrency },
      });
    },
  );

  it("uses the configured batch sizes and concurrency defaults", () => {
    expect([config.sync.batchSize, config.sync.maxConcurrency]).toEqual([10, 2]);
    expect([config.index.batchSize, config.index.maxConcurrency]).toEqual([5, 5]);
  });

  it("runs both functions on nodejs22.x / arm64 with tracing, bundled ESM and the config's sizes", () => {
    // sync, index, the webhook, the query API and OAuth (webhook.test.ts, query.test.ts and oauth.test.ts check theirs).
    template.resourceCountIs("AWS::Lambda::Function", 5);
    for (const { fn, settings } of pairs) {
      expect(props(template, fn)).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        TracingConfig: { Mode: "Active" },
        MemorySize: settings.memoryMb,
        Timeout: settings.timeoutSeconds,
      });
    }
  });

  it("keeps logs one month in a log group of the function's own", () => {
    template.resourceCountIs("AWS::Logs::LogGroup", 5);
    template.allResourcesProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
    for (const { fn } of pairs) {
      const logGroup = (props(template, fn).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resource(template, logGroup).Type).toBe("AWS::Logs::LogGroup");
    }
  });

  it.each(pairs)(
    "$name function gets the environment lib/composition/config.ts reads",
    ({ fn, dlq, dlqVariable }) => {
      const env = (props(template, fn).Environment as { Variables: Json }).Variables;
      // Only the DLQ of the queue it consumes: the other function's DLQ is none of its business.
      const deadLetterVariables = Object.keys(env).filter((name) => name.includes("DEAD_LETTER"));
      expect(deadLetterVariables).toEqual([dlqVariable]);
      expect(env).toMatchObject({
        [dlqVariable]: { Ref: dlq },
        TABLE_NAME: { Ref: ids.table },
        SYNC_QUEUE_URL: { Ref: ids.syncQueue },
        INDEX_QUEUE_URL: { Ref: ids.indexQueue },
        PINECONE_INDEX_HOST: PLACEHOLDER_HOST,
        PINECONE_API_KEY_SECRET_NAME: DEFAULTS.pineconeApiKeySecretName,
        LEASE_SECONDS: "900",
        POWERTOOLS_SERVICE_NAME: "notion-index-sync",
        POWERTOOLS_LOG_LEVEL: "INFO",
        NODE_OPTIONS: "--enable-source-maps",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      });
    },
  );

  it("tells only the index function, which embeds, the embedding provider, model and dimension", () => {
    const envOf = (fn: string) => (props(template, fn).Environment as { Variables: Json }).Variables;
    expect(envOf(ids.indexFn)).toMatchObject({
      EMBEDDING_PROVIDER: "local",
      EMBEDDING_MODEL: "local-hash-v1",
      EMBEDDING_DIMENSION: "384",
    });
    expect(Object.keys(envOf(ids.syncFn)).filter((name) => name.startsWith("EMBEDDING_"))).toEqual([]);
  });

  it.each(pairs)(
    "$name function's environment satisfies lib/composition/config.ts once its secrets are read at cold start",
    async ({ fn, dlqVariable }) => {
      const env = (props(template, fn).Environment as { Variables: Json }).Variables;
      // CloudFormation references resolve to URLs/names at deploy time: stand in for them here.
      const resolved = Object.fromEntries(
        Object.entries(env).map(([name, value]) => [
          name,
          typeof value === "string" ? value : `https://resolved.example/${name}`,
        ]),
      );
      const read: string[] = [];
      const withSecrets = await resolveSecretEnvironment(resolved, async (secretId) => {
        read.push(secretId);
        return `value-of-${secretId}`;
      });
      expect(read).toEqual([DEFAULTS.pineconeApiKeySecretName]);
      const config = loadConfig(withSecrets);
      expect(config.PINECONE_API_KEY).toBe(`value-of-${DEFAULTS.pineconeApiKeySecretName}`);
      expect(config[dlqVariable as keyof typeof config]).toBe(`https://resolved.example/${dlqVariable}`);
      expect(config.LEASE_SECONDS).toBe(900);
    },
  );

  it("puts no secret value in any function's environment", () => {
    const secretLooking = /(KEY|TOKEN|SECRET|PASSWORD)/;
    const reference = /_(SECRET_NAME|ARN)$/;
    for (const { fn } of pairs) {
      const names = Object.keys((props(template, fn).Environment as { Variables: Json }).Variables);
      const offending = names.filter((name) => secretLooking.test(name) && !reference.test(name));
      expect(offending).toEqual([]);
    }
  });

  it("allows Resource '*' only for the X-Ray actions AWS requires", () => {
    const policies = Object.values(template.findResources("AWS::IAM::Policy"));
    const statements = policies.flatMap(
      (p) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
    );
    const wildcard = statements.filter((s) => resourcesOf(s).includes("*"));
    expect(wildcard.length).toBeGreaterThan(0); // tracing is on, so X-Ray's statement exists
    for (const statement of wildcard) {
      expect(X_RAY_ACTIONS).toEqual(expect.arrayContaining(actionsOf(statement)));
    }
  });

  it("attaches no AWS managed policy (their log permissions cover every log group)", () => {
    for (const role of Object.values(template.findResources("AWS::IAM::Role"))) {
      expect((role.Properties as Json).ManagedPolicyArns).toBeUndefined();
    }
  });

  it("lets each function write only its own log group", () => {
    for (const [roleId, fn] of [
      [ids.syncRole, ids.syncFn],
      [ids.indexRole, ids.indexFn],
    ] as const) {
      const logGroup = (props(template, fn).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logStatements = statementsOfRole(template, roleId).filter((s) =>
        actionsOf(s).some((a) => a.startsWith("logs:")),
      );
      expect(logStatements.flatMap(resourcesOf)).toEqual([getAtt(logGroup)]);
    }
  });

  it("lets sync send to IndexQueue, SyncQueue (sweep fan-out) and its own DLQ only", () => {
    expect(new Set(sendTargets(template, ids.syncRole))).toEqual(
      new Set([ids.indexQueue, ids.syncQueue, ids.syncDlq].map((id) => JSON.stringify(getAtt(id)))),
    );
  });

  it("lets index send to its own DLQ only", () => {
    expect(sendTargets(template, ids.indexRole)).toEqual([JSON.stringify(getAtt(ids.indexDlq))]);
  });

  it("lets both functions read the Pinecone key secret and the stack's Notion token secrets, nothing else", () => {
    for (const roleId of [ids.syncRole, ids.indexRole]) {
      const secretStatements = statementsOfRole(template, roleId).filter((s) =>
        actionsOf(s).some((a) => a.startsWith("secretsmanager:")),
      );
      expect(secretStatements).toHaveLength(2);
      const [pinecone, notion] = secretStatements as [Statement, Statement];
      expect(actionsOf(pinecone).sort()).toEqual([
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
      ]);
      expect(JSON.stringify(pinecone.Resource)).toContain(
        `:secret:${DEFAULTS.pineconeApiKeySecretName}-??????`,
      );
      // Read-only, and only this stack's prefix: another stack's tokens are out of reach.
      expect(actionsOf(notion)).toEqual(["secretsmanager:GetSecretValue"]);
      expect(JSON.stringify(notion.Resource)).toMatch(
        /:secret:notion-index-sync\/NotionIndexSync\/notion\/\*"/,
      );
    }
  });

  it("sends the sweep and the reconcile to SyncQueue on their configured schedules", () => {
    template.resourceCountIs("AWS::Scheduler::Schedule", 2);
    const schedules = Object.values(template.findResources("AWS::Scheduler::Schedule")).map(
      (resource) =>
        resource.Properties as { ScheduleExpression: string; Target: { Arn: unknown; Input: string } },
    );
    const byExpression = Object.fromEntries(
      schedules.map((schedule) => [schedule.ScheduleExpression, JSON.parse(schedule.Target.Input)]),
    );
    expect(byExpression).toEqual({
      [config.sweepSchedule]: { type: "sweep" },
      [config.reconcileSchedule]: { type: "sweep", mode: "reconcile" },
    });
    for (const schedule of schedules) expect(schedule.Target.Arn).toEqual(getAtt(ids.syncQueue));
  });

  it("gives every function the binding's whole default Notion budget: instances share it through the table", () => {
    const setting = (fn: string, name: string) =>
      ((props(template, fn).Environment as { Variables: Json }).Variables as Record<string, string>)[name];
    for (const fn of [ids.syncFn, ids.indexFn]) {
      expect(Number(setting(fn, "NOTION_REQUESTS_PER_SECOND"))).toBe(config.notionRequestsPerSecond);
      expect(Number(setting(fn, "NOTION_BURST"))).toBe(config.notionBurst);
    }
  });

  it("gives the schedules one role that can only SendMessage to SyncQueue", () => {
    const roleIds = new Set(
      Object.values(template.findResources("AWS::Scheduler::Schedule")).map(
        (resource) =>
          (resource.Properties as { Target: { RoleArn: { "Fn::GetAtt": [string] } } }).Target.RoleArn[
            "Fn::GetAtt"
          ][0],
      ),
    );
    expect(roleIds.size).toBe(1);
    const [roleId] = [...roleIds] as [string];
    const role = props(template, roleId) as {
      AssumeRolePolicyDocument: { Statement: Json[] };
      Policies?: unknown;
    };
    expect(role.Policies).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    ]);
    const statements = statementsOfRole(template, roleId);
    expect(statements).toHaveLength(1);
    expect(statements.flatMap(actionsOf)).toEqual(["sqs:SendMessage"]);
    expect(statements.flatMap(resourcesOf)).toEqual([getAtt(ids.syncQueue)]);
  });

  it("defines the single table: pk/sk, gsi1 (ALL), on-demand, PITR, encrypted, retained, deletion-protected", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: {
        DeletionProtectionEnabled: true,
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: "gsi1",
            KeySchema: [
              { AttributeName: "gsi1pk", KeyType: "HASH" },
              { AttributeName: "gsi1sk", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      },
    });
  });

  it("exports the outputs the CLI reads", () => {
    const outputs = Object.keys(template.toJSON().Outputs as Json);
    expect(outputs).toEqual(
      expect.arrayContaining([
        "SyncQueueUrl",
        "IndexQueueUrl",
        "SyncDeadLetterQueueUrl",
        "IndexDeadLetterQueueUrl",
        "TableName",
        "SyncFunctionName",
        "IndexFunctionName",
        "PineconeIndexHost",
      ]),
    );
    template.hasOutput("PineconeIndexHost", { Value: PLACEHOLDER_HOST });
  });
});

describe("NotionIndexSyncStack context overrides", () => {
  it("without pineconeIndexHost, takes the host as a parameter that functions and output use", () => {
    const { template } = buildStack({ pineconeIndexHost: undefined });
    const parameter = template.toJSON().Parameters?.PineconeIndexHostParameter as Record<string, unknown>;
    expect(parameter).toMatchObject({ Type: "String", AllowedPattern: PINECONE_INDEX_HOST_PATTERN.source });
    expect(parameter).not.toHaveProperty("Default");
    const pattern = new RegExp(parameter.AllowedPattern as string);
    expect(pattern.test("https://my-index-abc123.svc.pinecone.io")).toBe(true);
    expect(pattern.test("https://x.pinecone.io/query")).toBe(false);
    const ref = { Ref: "PineconeIndexHostParameter" };
    template.hasOutput("PineconeIndexHost", { Value: ref });
    const functions = Object.values(template.findResources("AWS::Lambda::Function")) as {
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    }[];
    const hosts = functions.map((fn) => fn.Properties.Environment?.Variables?.PINECONE_INDEX_HOST);
    // sync, index and query talk to Pinecone; the webhook does not.
    expect(hosts.filter((host) => host !== undefined)).toEqual([ref, ref, ref]);
  });

  it("with pineconeIndexHost, has no parameter", () => {
    const { template } = buildStack();
    expect(Object.keys(template.toJSON().Parameters ?? {})).not.toContain("PineconeIndexHostParameter");
  });

  it("deletes the table with removalPolicy=destroy", () => {
    const { template } = buildStack({ removalPolicy: "destroy" });
    template.hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Delete", UpdateReplacePolicy: "Delete" });
    // A stack meant to be torn down must be able to delete its table.
    const table = Object.values(template.findResources("AWS::DynamoDB::Table"))[0] as {
      Properties: Record<string, unknown>;
    };
    expect(table.Properties.DeletionProtectionEnabled).not.toBe(true);
  });

  it("applies string values from `-c key=value` (maxReceiveCount, timeouts, stack name)", () => {
    const { stack, template } = buildStack({
      maxReceiveCount: "3",
      indexTimeoutSeconds: "120",
      stackName: "Nis-Dev",
    });
    expect(stack.stackName).toBe("Nis-Dev");
    expect(props(template, logicalId(stack, stack.sync.queue)).RedrivePolicy).toMatchObject({
      maxReceiveCount: 3,
    });
    expect(props(template, logicalId(stack, stack.index.queue)).VisibilityTimeout).toBe(720);
  });
});

describe("stack configuration", () => {
  const valid = { pineconeIndexHost: PLACEHOLDER_HOST };
  const parse = (context: Json) => parseStackConfig((key) => context[key]);
  const problemsOf = (context: Json): string[] => {
    try {
      parse(context);
    } catch (error) {
      if (error instanceof StackConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it("uses the documented defaults", () => {
    const config = parse(valid);
    expect(config).toMatchObject({
      stackName: "NotionIndexSync",
      removalPolicy: "retain",
      maxReceiveCount: 5,
      sweepSchedule: "rate(5 minutes)",
      leaseSeconds: 900,
      sync: { memoryMb: 256, timeoutSeconds: 60, batchSize: 10, maxConcurrency: 2 },
      index: { memoryMb: 1024, timeoutSeconds: 300, batchSize: 5, maxConcurrency: 5 },
    });
  });

  it("keeps cdk.json's context defaults in step with the code's", () => {
    for (const [key, value] of Object.entries(DEFAULTS)) {
      expect(cdkJson.context[key], key).toEqual(value);
    }
    expect(cdkJson.context).not.toHaveProperty(CONTEXT_KEYS.pineconeIndexHost);
  });

  it("takes no pineconeIndexHost as 'a parameter at deploy time', and names it when it is malformed", () => {
    expect(parse({}).pineconeIndexHost).toBeUndefined();
    expect(() => parse({ pineconeIndexHost: "not a host/" })).toThrow(StackConfigError);
    expect(() => parse({ pineconeIndexHost: "not a host/" })).toThrow(
      /pineconeIndexHost: must be the Pinecone index host/,
    );
  });

  it("rejects a bad maxReceiveCount with its key, range and value", () => {
    expect(() => parse({ ...valid, maxReceiveCount: 0 })).toThrow(
      "maxReceiveCount: must be an integer from 1 to 1000, got 0",
    );
    expect(problemsOf({ ...valid, maxReceiveCount: "five" })).toEqual([
      'maxReceiveCount: must be an integer from 1 to 1000, got "five"',
    ]);
    expect(problemsOf({ ...valid, maxReceiveCount: 2.5 })).toHaveLength(1);
  });

  it("lists every problem in one error", () => {
    const problems = problemsOf({
      removalPolicy: "snapshot",
      sweepSchedule: "every 5 minutes",
      syncMaxConcurrency: 1,
      indexBatchSize: 11,
    });
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "removalPolicy",
      "sweepSchedule",
      "syncMaxConcurrency",
      "indexBatchSize",
    ]);
  });

  it("requires the lease to outlast a sync plus an index run", () => {
    expect(problemsOf({ ...valid, leaseSeconds: 360 })).toEqual([
      "leaseSeconds: must exceed syncTimeoutSeconds + indexTimeoutSeconds (60 + 300 = 360), got 360",
    ]);
    expect(problemsOf({ ...valid, leaseSeconds: 361 })).toEqual([]);
  });

  it.each(["rate(1 minute)", "rate(2 hours)", "cron(0/10 * * * ? *)", "at(2030-01-01T00:00:00)"])(
    "accepts the schedule expression %s",
    (sweepSchedule) => {
      expect(problemsOf({ ...valid, sweepSchedule })).toEqual([]);
    },
  );

  it("accepts a bare Pinecone host and rejects a URL with a path", () => {
    expect(problemsOf({ pineconeIndexHost: "my-index-abc.svc.pinecone.io" })).toEqual([]);
    expect(problemsOf({ pineconeIndexHost: "https://x.pinecone.io/query" })).toHaveLength(1);
  });
});

describe("bundling (real esbuild, no Docker)", () => {
  let bundledBytes = 0;

  it("bundles the sync function into a minified ESM file with the require banner and a source map", () => {
    const outdir = tempOutdir();
    const app = new App({ outdir });
    const stack = new Stack(app, "BundleProbe");
    new ServiceFunction(stack, "Sync", {
      entry: "functions/sync/handler.ts",
      description: "bundling probe",
      memoryMb: 256,
      timeoutSeconds: 60,
      logLevel: "INFO",
      environment: {},
      logRemovalPolicy: RemovalPolicy.DESTROY,
    });
    app.synth();

    const assetDirs = readdirSync(outdir).filter((name) => name.startsWith("asset."));
    expect(assetDirs).toHaveLength(1);
    const bundle = path.join(outdir, assetDirs[0] as string, "index.mjs");
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const code = readFileSync(bundle, "utf8");
    expect(code.startsWith("import { createRequire as __nisCreateRequire } from 'node:module';")).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);

    // The sync function never embeds: the tokenizer, the embedders and their clients stay out of its bundle.
    const sources = (JSON.parse(readFileSync(`${bundle}.map`, "utf8")) as { sources: string[] }).sources;
    const embedding =
      /gpt-tokenizer|node_modules\/openai\/|client-bedrock-runtime|lib\/embedding\/.*embedder/;
    expect(sources.filter((source) => embedding.test(source))).toEqual([]);
    expect(sources.some((source) => source.includes("lib/adapters/aws/resolve-environment.ts"))).toBe(true);
    bundledBytes = statSync(bundle).size;
  }, 120_000);

  it("is what the bundle bench builds: the same esbuild settings give the same bytes", async () => {
    expect(bundledBytes).toBeGreaterThan(0);
    const options = esbuildOptionsFor("functions/sync/handler.ts", tempOutdir());
    await build(options);
    expect(statSync(options.outfile as string).size).toBe(bundledBytes);
  }, 60_000);
});
