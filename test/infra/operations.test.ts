/**
 * What the stack gives an operator beyond the pipeline: the dashboard (its widgets read the metrics
 * the functions emit), the alarms on those metrics, and X-Ray tracing on every function.
 */
import { describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../lib/cli/doctor/context.js";
import { METRICS, metricsNamespace } from "../../lib/shared/metrics.js";
import { synthDashboardBody } from "../../scripts/render-dashboard.js";
import { buildStack, type Json, logicalId } from "./template-helpers.js";

const { stack, template } = buildStack();
const namespace = metricsNamespace(stack.stackName);

function alarm(id: string): Json {
  const alarms = template.findResources("AWS::CloudWatch::Alarm") as Record<string, { Properties: Json }>;
  const found = Object.values(alarms).find(
    (resource) => resource.Properties.AlarmName === `${stack.stackName}-${id}`,
  );
  if (!found) throw new Error(`no alarm ${id}`);
  return found.Properties;
}

describe("dashboard", () => {
  // The body as the template holds it, read the one way the docs' picture reads it.
  const body = synthDashboardBody();
  const titles = body.widgets.map((widget) => widget.properties.title);

  it("is created by the stack and named in its outputs", () => {
    template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    template.hasResourceProperties("AWS::CloudWatch::Dashboard", {
      DashboardName: `${stack.stackName}-pipeline`,
    });
    expect(template.findOutputs("DashboardName")).toHaveProperty("DashboardName");
  });

  it("shows throughput, errors by reason, freshness p50/p95, queues, DLQs, Notion budget per binding, tokens and cost", () => {
    expect(titles).toEqual([
      "Throughput (documents per 5 min)",
      "Errors by reason class, and work stopped at a tenant's quota",
      "Freshness lag (Notion edit → served), seconds",
      "Queue depth (visible messages)",
      "Oldest message age, seconds",
      "Dead-letter queues (messages)",
      "Notion budget use per binding (% of 3 requests/s, 5 min)",
      "Notion 429s and budget waits",
      "Embedding tokens and estimated cost per day (local-hash-v1)",
      undefined, // the text widget
    ]);
  });

  it("reads the functions' metrics in the stack's namespace, under the names they emit", () => {
    const text = JSON.stringify(body);
    for (const key of [
      "documentsSynced",
      "documentsIndexed",
      "freshnessLag",
      "embeddingTokens",
      "notionThrottled",
    ] as const) {
      expect(text).toContain(`"${namespace}","${METRICS[key].name}"`);
    }
    expect(text).toContain('"stat":"p95"');
    expect(text).toContain('"stat":"p50"');
    expect(text).toContain(`SEARCH('{${namespace},service,function,reason} MetricName=\\"DocumentErrors\\"`);
  });

  it("groups Notion requests by binding with Logs Insights over the sync and index log groups", () => {
    const widget = body.widgets.find((w) => w.type === "log");
    expect(widget?.properties.query).toMatch(
      /stats sum\(NotionRequests\) \* 100 \/ 900 as budgetPercent by bin\(5m\), binding/,
    );
  });
});

describe("alarms on the pipeline's metrics", () => {
  it("alarms on documents newly in error, from both functions", () => {
    const properties = alarm("DocumentsInError");
    expect(properties.Threshold).toBe(1);
    const metrics = properties.Metrics as { Id: string; MetricStat?: { Metric: Json } }[];
    const names = metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []));
    expect(names).toEqual(["DocumentErrors", "DocumentErrors"]);
    expect(JSON.stringify(metrics)).toContain(namespace);
  });

  it("alarms on freshness lag p95 past the configured threshold", () => {
    const properties = alarm("FreshnessLag");
    expect(properties).toMatchObject({
      MetricName: "FreshnessLag",
      Namespace: namespace,
      ExtendedStatistic: "p95",
      Threshold: 3600,
      Period: 900,
    });
  });

  it("alarms on a Notion token refused (401)", () => {
    const properties = alarm("NotionTokenRefused");
    const metrics = properties.Metrics as { MetricStat?: { Metric: Json } }[];
    expect(metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []))).toEqual([
      "NotionTokenRefused",
      "NotionTokenRefused",
    ]);
  });

  it("notifies the alarm topic on alarm and on recovery", () => {
    for (const id of ["DocumentsInError", "FreshnessLag", "NotionTokenRefused"]) {
      const properties = alarm(id);
      expect(properties.AlarmActions).toHaveLength(1);
      expect(properties.OKActions).toHaveLength(1);
    }
  });
});

describe("tracing", () => {
  it("runs every function with active X-Ray tracing and the metrics namespace in its environment", () => {
    const functions = template.findResources("AWS::Lambda::Function") as Record<string, { Properties: Json }>;
    const ours = Object.entries(functions).filter(([id]) =>
      [stack.sync.fn, stack.index.fn, stack.webhook.fn, stack.query.fn].some(
        (fn) => logicalId(stack, fn.function) === id,
      ),
    );
    expect(ours).toHaveLength(4);
    for (const [, { Properties }] of ours) {
      expect(Properties.TracingConfig).toEqual({ Mode: "Active" });
      expect((Properties.Environment as { Variables: Json }).Variables.POWERTOOLS_METRICS_NAMESPACE).toBe(
        namespace,
      );
    }
  });
});

describe("what doctor reads from a deployed stack", () => {
  it("finds each function's role by the logical id prefix it looks for", () => {
    const roles = Object.keys(template.findResources("AWS::IAM::Role"));
    for (const [key, prefix] of Object.entries(FUNCTIONS)) {
      const fn = stack[key as keyof typeof FUNCTIONS].fn;
      expect(roles.filter((id) => id.startsWith(`${prefix}Role`))).toEqual([logicalId(stack, fn.role)]);
    }
  });

  it("names the sweep and reconcile schedules in the outputs", () => {
    const outputs = template.findOutputs("*");
    expect(outputs.SweepScheduleName?.Value).toEqual({ Ref: logicalId(stack, stack.schedules.sweep) });
    expect(outputs.ReconcileScheduleName?.Value).toEqual({
      Ref: logicalId(stack, stack.schedules.reconcile),
    });
  });
});
