/**
 * The webhook in the template: a public function URL (Notion cannot sign AWS requests; the function
 * authenticates every request itself), reserved concurrency, least-privilege grants, the 4xx/5xx
 * rate alarms on the alarm topic, and the outputs the CLI reads.
 */
import { describe, expect, it } from "vitest";
import { WEBHOOK_TABLE_ACTIONS } from "../../infra/table-access.js";
import { loadWebhookConfig } from "../../lib/composition/webhook-config.js";
import { FOREIGN_WORKSPACE_ALERT } from "../../lib/shared/alerts.js";
import { INFO_OUTPUTS } from "../../lib/shared/stack-outputs.js";
import {
  actionsOf,
  buildStack,
  functionInTemplate,
  getAtt,
  type Json,
  logicalId,
  props,
  resourcesOf,
} from "./template-helpers.js";

describe("webhook", () => {
  const { stack, config, template } = buildStack();
  const { fnId, statements, environment } = functionInTemplate(template, stack, stack.webhook.fn);

  it("has a function URL without AWS auth, pointing at the webhook function", () => {
    template.hasResourceProperties("AWS::Lambda::Url", {
      AuthType: "NONE",
      TargetFunctionArn: getAtt(fnId),
    });
    // The webhook's, the query API's and the OAuth function's.
    template.resourceCountIs("AWS::Lambda::Url", 3);
  });

  it("runs with the configured reserved concurrency, memory and a short timeout", () => {
    expect(props(template, fnId)).toMatchObject({
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      ReservedConcurrentExecutions: config.webhook.reservedConcurrency,
      MemorySize: config.webhook.memoryMb,
      Timeout: config.webhook.timeoutSeconds,
    });
    expect(config.webhook.reservedConcurrency).toBe(5);
    const custom = buildStack({ webhookReservedConcurrency: 2 });
    const customFn = logicalId(custom.stack, custom.stack.webhook.fn.function);
    expect(props(custom.template, customFn).ReservedConcurrentExecutions).toBe(2);
  });

  it("gets the environment loadWebhookConfig reads, and nothing of Pinecone or Notion tokens", () => {
    expect(environment).toMatchObject({
      WEBHOOK_TOKEN_SECRET_PREFIX: config.webhook.tokenSecretPrefix,
      WEBHOOK_DEBOUNCE_SECONDS: String(config.webhook.debounceSeconds),
      WEBHOOK_REPLAY_WINDOW_SECONDS: String(config.webhook.replayWindowSeconds),
    });
    expect(
      Object.keys(environment).filter((name) => /PINECONE|NOTION|EMBEDDING|INDEX_QUEUE/.test(name)),
    ).toEqual([]);
    // Tokens resolved: the same validation the function runs at cold start accepts it.
    const resolved = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [
        name,
        typeof value === "string" ? value : name.endsWith("_URL") ? "https://sqs.example.com/q" : "resolved",
      ]),
    );
    expect(() => loadWebhookConfig(resolved)).not.toThrow();
  });

  it("may send to SyncQueue only, use the table by name only, and its own secret prefix only", () => {
    const sends = statements.filter((statement) => actionsOf(statement).includes("sqs:SendMessage"));
    expect(sends.flatMap(resourcesOf)).toEqual([getAtt(logicalId(stack, stack.sync.queue))]);

    const dynamodb = statements.filter((statement) =>
      actionsOf(statement).some((a) => a.startsWith("dynamodb:")),
    );
    expect(dynamodb).toHaveLength(2);
    const table = dynamodb.filter((statement) => actionsOf(statement).length > 1);
    // Queries of gsi1 only (a tenant's documents counted against its quota), nothing else on it.
    const index = dynamodb.filter((statement) => actionsOf(statement).length === 1);
    expect(actionsOf(index[0] as never)).toEqual(["dynamodb:Query"]);
    expect(resourcesOf(index[0] as never)).toEqual([
      { "Fn::Join": ["", [getAtt(logicalId(stack, stack.table)), "/index/gsi1"]] },
    ]);
    // Only the item actions it calls: the one public function can neither scan nor delete.
    expect(actionsOf(table[0] as never).sort()).toEqual([...WEBHOOK_TABLE_ACTIONS].sort());
    expect(actionsOf(table[0] as never).sort()).toEqual([
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]);
    expect(resourcesOf(table[0] as never)).toEqual([getAtt(logicalId(stack, stack.table))]);

    const secrets = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith("secretsmanager:")),
    );
    expect(secrets).toHaveLength(1);
    expect(actionsOf(secrets[0] as never).sort()).toEqual([
      "secretsmanager:CreateSecret",
      "secretsmanager:GetSecretValue",
      "secretsmanager:PutSecretValue",
    ]);
    const resource = JSON.stringify(resourcesOf(secrets[0] as never));
    expect(resource).toContain(`:secret:${config.webhook.tokenSecretPrefix}*`);
    expect(resource).not.toContain(config.notionTokenSecretPrefix);
    // No other action than these, the log group's and X-Ray's.
    const other = statements
      .flatMap(actionsOf)
      .filter((action) => !/^(sqs|dynamodb|secretsmanager|logs):/.test(action));
    expect(other).toEqual([]);
  });

  it("keeps the webhook token prefix per stack, and apart from the Notion tokens'", () => {
    expect(config.webhook.tokenSecretPrefix).toBe(`notion-index-sync/${config.stackName}/webhook/`);
    expect(() => buildStack({ webhookTokenSecretPrefix: config.notionTokenSecretPrefix })).toThrow(
      /webhookTokenSecretPrefix: must not overlap/,
    );
    expect(() => buildStack({ webhookDebounceSeconds: 901 })).toThrow(/webhookDebounceSeconds/);
  });

  it("counts events ignored as another workspace's from the log, and alarms on the first", () => {
    const logGroupId = logicalId(stack, stack.webhook.fn.logGroup);
    template.hasResourceProperties("AWS::Logs::MetricFilter", {
      LogGroupName: { Ref: logGroupId },
      FilterPattern: `{ $.alert = "${FOREIGN_WORKSPACE_ALERT}" }`,
      MetricTransformations: [
        {
          MetricName: "WebhookForeignWorkspaceEvents",
          MetricValue: "1",
          MetricNamespace: `NotionIndexSync/${config.stackName}`,
        },
      ],
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: `${config.stackName}-WebhookForeignWorkspaceEvents`,
      MetricName: "WebhookForeignWorkspaceEvents",
      Namespace: `NotionIndexSync/${config.stackName}`,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      AlarmActions: [{ Ref: logicalId(stack, stack.alarms.topic) }],
    });
  });

  it("alarms on the URL's 4xx and 5xx rates, on the alarm topic", () => {
    const topic = { Ref: logicalId(stack, stack.alarms.topic) };
    const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm"))
      .map((alarm) => alarm.Properties as Json)
      .filter((alarm) => /WebhookUrl[45]xxRate/.test(JSON.stringify(alarm.AlarmName)));
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
      const metrics = JSON.stringify(alarm.Metrics);
      expect(metrics).toContain("UrlRequestCount");
      expect(metrics).toContain(JSON.stringify({ Ref: fnId }));
    }
    const names = JSON.stringify(alarms.map((alarm) => alarm.Metrics));
    expect(names).toContain("Url4xxCount");
    expect(names).toContain("Url5xxCount");
  });

  it("expires webhook event records with the table's TTL attribute", () => {
    expect(props(template, logicalId(stack, stack.table)).TimeToLiveSpecification).toEqual({
      AttributeName: "expiresAt",
      Enabled: true,
    });
  });

  it("outputs the URL, the token prefix and the function name for the CLI", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const name of ["WebhookUrl", "WebhookTokenSecretPrefix", "WebhookFunctionName"] as const) {
      expect(INFO_OUTPUTS).toContain(name);
      expect(outputs[name]).toBeDefined();
    }
    expect(outputs.WebhookUrl?.Value).toEqual({
      "Fn::GetAtt": [logicalId(stack, stack.webhook.url), "FunctionUrl"],
    });
    expect(outputs.WebhookTokenSecretPrefix?.Value).toBe(config.webhook.tokenSecretPrefix);
  });
});
