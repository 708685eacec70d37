/**
 * Helpers for template assertions: builds the stack as `cdk synth` would (cdk.json context
 * included, bundling skipped) and reads resources, IAM statements and references out of it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { App, type CfnElement, type Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll } from "vitest";
import { readStackConfig } from "../../infra/config.js";
import { PROJECT_ROOT } from "../../infra/function-defaults.js";
import { NotionIndexSyncStack } from "../../infra/stack.js";

export type Json = Record<string, unknown>;
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

export const X_RAY_ACTIONS = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"];
export const PLACEHOLDER_HOST = "https://placeholder-test.svc.pinecone.io";
export const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "cdk.json"), "utf8")) as {
  context: Json;
};

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

export function tempOutdir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "nis-cdk-"));
  outdirs.push(dir);
  return dir;
}

/** Builds the stack as `cdk synth` would (cdk.json context included), with bundling skipped. */
export function buildStack(context: Json = {}) {
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
  const stack = new NotionIndexSyncStack(app, config.stackName, { config });
  return { stack, config, template: Template.fromStack(stack) };
}

export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

export function resource(template: Template, id: string): Json {
  const found = template.toJSON().Resources[id] as Json | undefined;
  if (!found) throw new Error(`no resource ${id} in template`);
  return found;
}

export function props(template: Template, id: string): Json {
  return resource(template, id).Properties as Json;
}

export function getAtt(id: string) {
  return { "Fn::GetAtt": [id, "Arn"] };
}

/** Every statement of every AWS::IAM::Policy attached to the given role. */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources("AWS::IAM::Policy")).flatMap((policy) => {
    const p = policy.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } };
    const attached = p.Roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }));
    return attached ? p.PolicyDocument.Statement : [];
  });
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Queues a role may send to: the resources of statements that allow sqs:SendMessage. */
export function sendTargets(template: Template, roleId: string): string[] {
  return statementsOfRole(template, roleId)
    .filter((s) => s.Effect === "Allow" && actionsOf(s).includes("sqs:SendMessage"))
    .flatMap(resourcesOf)
    .map((r) => JSON.stringify(r));
}

/**
 * One function of the stack as the template has it: its logical id, its role's statements other than
 * X-Ray's (every function has those), and its environment.
 */
export function functionInTemplate(
  template: Template,
  stack: Stack,
  fn: { function: { node: { defaultChild?: unknown } }; role: { node: { defaultChild?: unknown } } },
) {
  const fnId = logicalId(stack, fn.function);
  const statements = statementsOfRole(template, logicalId(stack, fn.role)).filter(
    (statement) => !actionsOf(statement).every((action) => X_RAY_ACTIONS.includes(action)),
  );
  const environment = (props(template, fnId).Environment as { Variables: Json }).Variables;
  return { fnId, statements, environment };
}
