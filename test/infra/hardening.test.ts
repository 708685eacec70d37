/**
 * The deploy's safety net: cdk-nag has nothing unexplained, alarms reach one topic, secrets are
 * names in the template and grants stop at this stack's resources, the CLI finds every output it
 * reads, and the embedding provider brings exactly its own permission.
 */
import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { parseStackConfig, readStackConfig, StackConfigError } from "../../infra/config.js";
import { addNagChecks } from "../../infra/nag.js";
import { NotionIndexSyncStack } from "../../infra/stack.js";
import { TABLE_DATA_ACTIONS } from "../../infra/table-access.js";
import { REQUIRED_OUTPUTS, SETTING_OUTPUTS } from "../../lib/shared/stack-outputs.js";
import {
  actionsOf,
  buildStack,
  cdkJson,
  getAtt,
  type Json,
  logicalId,
  PLACEHOLDER_HOST,
  props,
  resourcesOf,
  statementsOfRole,
  tempOutdir,
} from "./template-helpers.js";

describe("cdk-nag (AwsSolutions)", () => {
  it.each([
    ["local", {}],
    ["openai", { embeddingProvider: "openai" }],
    ["bedrock", { embeddingProvider: "bedrock" }],
    ["an alarm email", { alarmEmail: "ops@example.com" }],
  ])("reports no unacknowledged error or warning with %s", (_, context) => {
    const app = new App({
      outdir: tempOutdir(),
      context: {
        ...cdkJson.context,
        "aws:cdk:bundling-stacks": [],
        pineconeIndexHost: PLACEHOLDER_HOST,
        ...context,
      },
    });
    const config = readStackConfig(app.node);
    new NotionIndexSyncStack(app, config.stackName, { config });
    const report = addNagChecks(app).validateScope(app);
    const findings = report.violations.map(
      (v) =>
        `${v.ruleName} (${v.severity}) at ${v.violatingResources.map((r) => r.constructPath).join(", ")}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it("gives every acknowledgement a reason", () => {
    const { stack } = buildStack();
    const acknowledgements = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === "aws:cdk:acknowledged-rules")
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThanOrEqual(4);
    for (const [id, reason] of acknowledgements) expect(reason.length, id).toBeGreaterThan(40);
  });
});

describe("alarms", () => {
  const { stack, template } = buildStack({ alarmEmail: "ops@example.com" });
  const topicId = logicalId(stack, stack.alarms.topic);
  const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm")).map(
    (alarm) => alarm.Properties as Json,
  );
  const alarmOn = (metricName: string, dimension: unknown) =>
    alarms.filter(
      (alarm) =>
        alarm.MetricName === metricName &&
        JSON.stringify(alarm.Dimensions).includes(JSON.stringify(dimension)),
    );
  const ref = (construct: { node: { defaultChild?: unknown } }) => ({ Ref: logicalId(stack, construct) });
  const queueName = (queue: { node: { defaultChild?: unknown } }) => ({
    "Fn::GetAtt": [logicalId(stack, queue), "QueueName"],
  });

  it("sends every alarm, and its recovery, to the one topic", () => {
    template.resourceCountIs("AWS::SNS::Topic", 1);
    // 4 per pipeline, the webhook URL's 4xx and 5xx rates, its foreign-workspace events, the
    // query URL's 5xx rate, and the pipeline metrics' three (errors, freshness, refused tokens).
    expect(alarms).toHaveLength(15);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
      expect(alarm.TreatMissingData).toBe("notBreaching");
      expect(String(alarm.AlarmDescription).length).toBeGreaterThan(40);
    }
  });

  it("subscribes the alarm email when given, and only then", () => {
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
      TopicArn: { Ref: topicId },
    });
    buildStack().template.resourceCountIs("AWS::SNS::Subscription", 0);
  });

  it("requires TLS to publish to the topic", () => {
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: [{ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
      },
    });
  });

  it.each(["sync", "index"] as const)(
    "watches the %s dead-letter queue, queue age, errors and throttles",
    (name) => {
      const pipeline = stack[name];
      const dlq = alarmOn("ApproximateNumberOfMessagesVisible", {
        Name: "QueueName",
        Value: queueName(pipeline.deadLetterQueue),
      });
      expect(dlq).toEqual([
        expect.objectContaining({ Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold" }),
      ]);
      const age = alarmOn("ApproximateAgeOfOldestMessage", {
        Name: "QueueName",
        Value: queueName(pipeline.queue),
      });
      expect(age).toEqual([expect.objectContaining({ Threshold: 1800, Statistic: "Maximum" })]);
      const fn = { Name: "FunctionName", Value: ref(pipeline.fn.function) };
      expect(alarmOn("Errors", fn)).toEqual([expect.objectContaining({ Threshold: 1, Statistic: "Sum" })]);
      expect(alarmOn("Throttles", fn)).toEqual([expect.objectContaining({ Threshold: 1, Statistic: "Sum" })]);
    },
  );

  it("uses the configured queue-age threshold", () => {
    const { template: custom } = buildStack({ oldestMessageAlarmSeconds: "600" });
    custom.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateAgeOfOldestMessage",
      Threshold: 600,
    });
  });
});

describe("least privilege", () => {
  const { stack, template } = buildStack();
  const tableId = logicalId(stack, stack.table);
  const roles = [logicalId(stack, stack.sync.fn.role), logicalId(stack, stack.index.fn.role)];

  it.each(roles)("role %s may use the table and its gsi1, by name, and no other index", (roleId) => {
    const tableStatements = statementsOfRole(template, roleId).filter((s) =>
      actionsOf(s).some((a) => a.startsWith("dynamodb:")),
    );
    expect(tableStatements).toHaveLength(1);
    const [statement] = tableStatements;
    expect(actionsOf(statement as never).sort()).toEqual([...TABLE_DATA_ACTIONS].sort());
    expect(resourcesOf(statement as never)).toEqual([
      getAtt(tableId),
      { "Fn::Join": ["", [getAtt(tableId), "/index/gsi1"]] },
    ]);
  });

  it("keeps secret values out of the template entirely", () => {
    const text = JSON.stringify(template.toJSON());
    // GenerateSecretString (the OAuth secrets) has AWS make the value: the template holds none.
    expect(text).not.toMatch(/(?<!Generate)SecretString|resolve:secretsmanager/);
    expect(text).not.toMatch(/SecretStringTemplate/);
  });

  it("uses a per-stack Notion token prefix unless one is configured", () => {
    expect(buildStack({ stackName: "Nis-Dev" }).config.notionTokenSecretPrefix).toBe(
      "notion-index-sync/Nis-Dev/notion/",
    );
    const custom = buildStack({ notionTokenSecretPrefix: "acme/notion/" });
    const statements = statementsOfRole(custom.template, logicalId(custom.stack, custom.stack.sync.fn.role));
    expect(JSON.stringify(statements)).toContain(':secret:acme/notion/*"');
  });
});

describe("embedding providers", () => {
  const envOf = (built: ReturnType<typeof buildStack>, fn: "sync" | "index") =>
    (
      props(built.template, logicalId(built.stack, built.stack[fn].fn.function)).Environment as {
        Variables: Json;
      }
    ).Variables;
  const statementsOf = (built: ReturnType<typeof buildStack>, fn: "sync" | "index") =>
    statementsOfRole(built.template, logicalId(built.stack, built.stack[fn].fn.role));

  it("openai: the index function alone gets the key's secret name and read access", () => {
    const built = buildStack({ embeddingProvider: "openai" });
    expect(envOf(built, "index")).toMatchObject({
      EMBEDDING_PROVIDER: "openai",
      EMBEDDING_MODEL: "text-embedding-3-small",
      EMBEDDING_DIMENSION: "1536",
      OPENAI_API_KEY_SECRET_NAME: "notion-index-sync/openai-api-key",
    });
    expect(envOf(built, "sync")).not.toHaveProperty("OPENAI_API_KEY_SECRET_NAME");
    const secretReads = (fn: "sync" | "index") => JSON.stringify(statementsOf(built, fn));
    expect(secretReads("index")).toContain(":secret:notion-index-sync/openai-api-key-??????");
    expect(secretReads("sync")).not.toContain("openai");
    built.template.hasOutput("OpenaiApiKeySecretName", { Value: "notion-index-sync/openai-api-key" });
  });

  it("bedrock: the index function may invoke the one model, nothing else", () => {
    const built = buildStack({ embeddingProvider: "bedrock", embeddingDimension: "512" });
    expect(envOf(built, "index")).toMatchObject({
      EMBEDDING_MODEL: "amazon.titan-embed-text-v2:0",
      EMBEDDING_DIMENSION: "512",
    });
    const invoke = statementsOf(built, "index").filter((s) =>
      actionsOf(s).some((a) => a.startsWith("bedrock:")),
    );
    expect(invoke.flatMap(actionsOf)).toEqual(["bedrock:InvokeModel"]);
    expect(JSON.stringify(invoke.flatMap(resourcesOf))).toContain(":bedrock:");
    expect(JSON.stringify(invoke.flatMap(resourcesOf))).toContain(
      "::foundation-model/amazon.titan-embed-text-v2:0",
    );
    expect(JSON.stringify(statementsOf(built, "sync"))).not.toContain("bedrock");
  });

  it("pinecone: no key beyond the Pinecone one the function already reads", () => {
    const built = buildStack({ embeddingProvider: "pinecone" });
    expect(envOf(built, "index")).toMatchObject({
      EMBEDDING_MODEL: "multilingual-e5-large",
      EMBEDDING_DIMENSION: "1024",
    });
    expect(Object.keys(envOf(built, "index")).filter((name) => name.endsWith("_SECRET_NAME"))).toEqual([
      "PINECONE_API_KEY_SECRET_NAME",
    ]);
  });
});

describe("outputs for the CLI", () => {
  const { template } = buildStack();
  const outputs = template.toJSON().Outputs as Json;

  it("has every output the CLI requires, and every setting output the stack can have", () => {
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining([...REQUIRED_OUTPUTS]));
    const settingOutputs = Object.keys(SETTING_OUTPUTS).filter((name) => name !== "OpenaiApiKeySecretName");
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(settingOutputs));
  });

  it("names secrets, never their values", () => {
    template.hasOutput("PineconeApiKeySecretName", { Value: "notion-index-sync/pinecone-api-key" });
    template.hasOutput("NotionTokenSecretPrefix", { Value: "notion-index-sync/NotionIndexSync/notion/" });
  });
});

describe("stack configuration (secrets, alarms, embedding)", () => {
  const problemsOf = (context: Json): string[] => {
    try {
      parseStackConfig((key) => ({ pineconeIndexHost: PLACEHOLDER_HOST, ...context })[key]);
    } catch (error) {
      if (error instanceof StackConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it("rejects an unknown model or a dimension the model cannot make, naming the context key", () => {
    expect(problemsOf({ embeddingProvider: "openai", embeddingModel: "gpt-4" })).toEqual([
      expect.stringMatching(/^embeddingModel: gpt-4 is not a known openai embedding model/),
    ]);
    expect(problemsOf({ embeddingProvider: "bedrock", embeddingDimension: 384 })).toEqual([
      expect.stringMatching(
        /^embeddingDimension: 384 is not one bedrock\/amazon.titan-embed-text-v2:0 can produce/,
      ),
    ]);
    expect(problemsOf({ embeddingProvider: "cohere" })).toEqual([
      expect.stringMatching(/^embeddingProvider: must be one of local \| pinecone \| openai \| bedrock/),
    ]);
  });

  it("rejects a bad alarm email, secret prefix or queue-age threshold", () => {
    expect(
      problemsOf({ alarmEmail: "ops", notionTokenSecretPrefix: "no-slash", oldestMessageAlarmSeconds: 5 }),
    ).toEqual([
      'notionTokenSecretPrefix: must be a Secrets Manager name prefix ending in "/", got "no-slash"',
      "oldestMessageAlarmSeconds: must be an integer from 60 to 1209600, got 5",
      'alarmEmail: must be an email address, got "ops"',
    ]);
  });
});
