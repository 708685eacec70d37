/**
 * The retrieval API in the template: a public function URL (applications hold an API key, not AWS
 * credentials; the function authenticates every request), reserved concurrency, and grants that let
 * it read and nothing more: no content write, no scan, no delete, no queue, no Notion token.
 */
import { describe, expect, it } from "vitest";
import { QUERY_TABLE_ACTIONS } from "../../infra/table-access.js";
import { loadQueryConfig } from "../../lib/composition/query-config.js";
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

describe("query API", () => {
  const { stack, config, template } = buildStack();
  const { fnId, statements, environment } = functionInTemplate(template, stack, stack.query.fn);

  it("has a function URL without AWS auth, pointing at the query function", () => {
    template.hasResourceProperties("AWS::Lambda::Url", { AuthType: "NONE", TargetFunctionArn: getAtt(fnId) });
  });

  it("runs with reserved concurrency, the configured memory and a short timeout", () => {
    expect(props(template, fnId)).toMatchObject({
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      ReservedConcurrentExecutions: config.query.reservedConcurrency,
      MemorySize: config.query.memoryMb,
      Timeout: config.query.timeoutSeconds,
    });
    const custom = buildStack({ queryReservedConcurrency: 3, queryRequestsPerSecond: 50 });
    const customFn = logicalId(custom.stack, custom.stack.query.fn.function);
    expect(props(custom.template, customFn).ReservedConcurrentExecutions).toBe(3);
    expect(
      (props(custom.template, customFn).Environment as { Variables: Json }).Variables
        .QUERY_REQUESTS_PER_SECOND,
    ).toBe("50");
  });

  it("gets the environment loadQueryConfig reads, and no queue or Notion setting", () => {
    expect(environment).toMatchObject({
      QUERY_REQUESTS_PER_SECOND: String(config.query.requestsPerSecond),
      QUERY_BURST: String(config.query.burst),
      PINECONE_API_KEY_SECRET_NAME: config.pineconeApiKeySecretName,
      EMBEDDING_PROVIDER: config.embedding.provider,
    });
    expect(Object.keys(environment).filter((name) => /QUEUE|NOTION|WEBHOOK/.test(name))).toEqual([]);
    const resolved = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [
        name,
        typeof value === "string" ? value : name.endsWith("_HOST") ? "https://index.example.com" : "resolved",
      ]),
    );
    expect(() => loadQueryConfig({ ...resolved, PINECONE_API_KEY: "resolved" })).not.toThrow();
  });

  it("may read the table (and book its keys' rate), read the Pinecone key, and nothing else", () => {
    const table = statements.filter((statement) =>
      actionsOf(statement).some((a) => a.startsWith("dynamodb:")),
    );
    expect(table).toHaveLength(1);
    expect(actionsOf(table[0] as never).sort()).toEqual([...QUERY_TABLE_ACTIONS].sort());
    expect(actionsOf(table[0] as never).sort()).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:GetItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]);
    expect(resourcesOf(table[0] as never)).toEqual([getAtt(logicalId(stack, stack.table))]);

    const secrets = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith("secretsmanager:")),
    );
    expect(
      secrets
        .flatMap(actionsOf)
        .every((action) => /^secretsmanager:(GetSecretValue|DescribeSecret)$/.test(action)),
    ).toBe(true);
    const resources = JSON.stringify(secrets.flatMap(resourcesOf));
    expect(resources).not.toContain(config.notionTokenSecretPrefix);
    expect(resources).not.toContain(config.webhook.tokenSecretPrefix);
    const other = statements
      .flatMap(actionsOf)
      .filter((action) => !/^(dynamodb|secretsmanager|logs):/.test(action));
    expect(other).toEqual([]);
  });

  it("alarms when 5% or more of its requests fail with 5xx", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: `${config.stackName}-QueryUrl5xxRate`,
      Threshold: 5,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      AlarmActions: [{ Ref: logicalId(stack, stack.alarms.topic) }],
    });
  });

  it("names its URL and function in the outputs", () => {
    expect(INFO_OUTPUTS).toContain("QueryUrl");
    template.hasOutput("QueryUrl", {
      Value: { "Fn::GetAtt": [logicalId(stack, stack.query.url), "FunctionUrl"] },
    });
    template.hasOutput("QueryFunctionName", { Value: { Ref: fnId } });
  });
});
