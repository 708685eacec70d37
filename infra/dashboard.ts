/**
 * The stack's CloudWatch dashboard: what the pipeline is doing, on one page. Every figure comes from
 * the functions' own metrics (lib/shared/metrics.ts), the queues' metrics, or, for the one
 * per-binding view, Logs Insights over the functions' EMF records (the binding is a property of
 * those records, not a dimension: a thousand bindings cost no extra metrics).
 * The layout is drawn for the docs from this definition (scripts/render-dashboard.ts).
 */
import { Duration, Stack } from "aws-cdk-lib";
import {
  Dashboard,
  GraphWidget,
  type IWidget,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  TextWidget,
} from "aws-cdk-lib/aws-cloudwatch";
import type { ILogGroup } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  FUNCTION_DIMENSION,
  type FunctionLabel,
  METRICS,
  type MetricKey,
  metricsNamespace,
} from "../lib/shared/metrics.js";
import { pipelineMetric } from "./pipeline-metric.js";

export interface PipelineDashboardProps {
  queues: { name: string; queue: IQueue; deadLetterQueue: IQueue }[];
  /** The sync and index functions' log groups (their EMF records). */
  logGroups: ILogGroup[];
  /** The default Notion budget of a binding, requests a second (what 100% means). */
  notionRequestsPerSecond: number;
  /** USD per 1M tokens of the configured model; undefined when it is not in the price table. */
  embeddingUsdPerMillionTokens: number | undefined;
  embeddingModel: string;
}

const FIVE_MINUTES = Duration.minutes(5);
const WIDTH = 8;
const HEIGHT = 6;

export class PipelineDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const namespace = metricsNamespace(stackName);
    const metric = (key: MetricKey, fn: FunctionLabel, statistic: string) =>
      pipelineMetric(this, key, fn, statistic);
    /** Every series of a metric broken down by one dimension (whatever values occur). */
    const breakdown = (key: MetricKey, fn: FunctionLabel, dimension: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${namespace},service,${FUNCTION_DIMENSION},${dimension}} MetricName="${METRICS[key].name}" ${FUNCTION_DIMENSION}="${fn}"', 'Sum', 300)`,
        usingMetrics: {},
        label,
        period: FIVE_MINUTES,
      });

    const widgets: IWidget[][] = [
      [
        new GraphWidget({
          title: "Throughput (documents per 5 min)",
          width: WIDTH,
          height: HEIGHT,
          left: [
            metric("documentsSynced", "sync", "Sum").with({ label: "synced (checked)" }),
            metric("documentsIndexed", "index", "Sum").with({ label: "index runs" }),
            metric("chunksEmbedded", "index", "Sum").with({ label: "chunks embedded" }),
          ],
        }),
        new GraphWidget({
          title: "Errors by reason class, and work stopped at a tenant's quota",
          width: WIDTH,
          height: HEIGHT,
          left: [
            breakdown("documentErrors", "sync", "reason", "sync"),
            breakdown("documentErrors", "index", "reason", "index"),
            breakdown("quotaExceeded", "sync", "reason", "quota (sync)"),
            breakdown("quotaExceeded", "index", "reason", "quota (index)"),
          ],
        }),
        new GraphWidget({
          title: "Freshness lag (Notion edit → served), seconds",
          width: WIDTH,
          height: HEIGHT,
          left: [
            metric("freshnessLag", "index", "p50").with({ label: "p50" }),
            metric("freshnessLag", "index", "p95").with({ label: "p95" }),
          ],
        }),
      ],
      [
        new GraphWidget({
          title: "Queue depth (visible messages)",
          width: WIDTH,
          height: HEIGHT,
          left: props.queues.map(({ name, queue }) =>
            queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, label: name }),
          ),
        }),
        new GraphWidget({
          title: "Oldest message age, seconds",
          width: WIDTH,
          height: HEIGHT,
          left: props.queues.map(({ name, queue }) =>
            queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, label: name }),
          ),
        }),
        new GraphWidget({
          title: "Dead-letter queues (messages)",
          width: WIDTH,
          height: HEIGHT,
          left: props.queues.map(({ name, deadLetterQueue }) =>
            deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: FIVE_MINUTES,
              statistic: "Maximum",
              label: `${name} DLQ`,
            }),
          ),
        }),
      ],
      [
        new LogQueryWidget({
          title: `Notion budget use per binding (% of ${props.notionRequestsPerSecond} requests/s, 5 min)`,
          width: WIDTH,
          height: HEIGHT,
          logGroupNames: props.logGroups.map((group) => group.logGroupName),
          view: LogQueryVisualizationType.LINE,
          queryLines: [
            "filter ispresent(NotionRequests) and ispresent(binding)",
            `stats sum(NotionRequests) * 100 / ${props.notionRequestsPerSecond * 300} as budgetPercent by bin(5m), binding`,
          ],
        }),
        new GraphWidget({
          title: "Notion 429s and budget waits",
          width: WIDTH,
          height: HEIGHT,
          left: (["sync", "index"] as const).map((fn) =>
            metric("notionThrottled", fn, "Sum").with({ label: `429s (${fn})` }),
          ),
          right: (["sync", "index"] as const).map((fn) =>
            metric("notionBudgetWait", fn, "Sum").with({ label: `budget wait ms (${fn})` }),
          ),
        }),
        new GraphWidget({
          title: `Embedding tokens and estimated cost per day (${props.embeddingModel})`,
          width: WIDTH,
          height: HEIGHT,
          left: [
            metric("embeddingTokens", "index", "Sum").with({ label: "tokens", period: Duration.days(1) }),
          ],
          right: [
            new MathExpression({
              expression: `FILL(tokens, 0) * ${props.embeddingUsdPerMillionTokens ?? 0} / 1000000`,
              usingMetrics: {
                tokens: metric("embeddingTokens", "index", "Sum").with({ period: Duration.days(1) }),
              },
              label:
                props.embeddingUsdPerMillionTokens === undefined
                  ? "estimated USD (model not in the price table: 0)"
                  : `estimated USD at $${props.embeddingUsdPerMillionTokens}/1M tokens`,
              period: Duration.days(1),
            }),
          ],
        }),
      ],
      [
        new TextWidget({
          markdown:
            "Metrics: `notion-index-sync` functions (EMF). Act on dead letters with `notion-index-sync dlq list` / `dlq redrive`; check the whole deployment with `notion-index-sync doctor`. See docs/observability.md.",
          width: 3 * WIDTH,
          height: 2,
        }),
      ],
    ];
    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: `${stackName}-pipeline`,
      widgets,
    });
  }
}
