/**
 * What an operator is told about, on one SNS topic (an email subscription is optional): messages in
 * a dead-letter queue, function errors and throttles, a work queue whose oldest message is too old
 * (the consumer is stuck or far behind), documents newly in `error`, late edits (freshness lag) and
 * refused Notion tokens. Each alarm also notifies when it clears.
 */
import { Duration, Stack, Validations } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { FilterPattern, type ILogGroup, MetricFilter } from "aws-cdk-lib/aws-logs";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { FOREIGN_WORKSPACE_ALERT } from "../lib/shared/alerts.js";
import { type FunctionLabel, type MetricKey, metricsNamespace } from "../lib/shared/metrics.js";
import { pipelineMetric } from "./pipeline-metric.js";

export interface WatchedPipeline {
  /** "Sync" or "Index": used in alarm names. */
  name: string;
  queue: IQueue;
  deadLetterQueue: IQueue;
  fn: IFunction;
}

export interface OperationsAlarmsProps {
  pipelines: WatchedPipeline[];
  oldestMessageAlarmSeconds: number;
  email: string | undefined;
}

const PERIOD = Duration.minutes(5);

export class OperationsAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, "Topic", { displayName: "notion-index-sync alarms", enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: "AwsSolutions-SNS2",
      reason:
        "The topic carries alarm state changes only (names, thresholds, no data). CloudWatch cannot publish to a topic under the AWS-managed aws/sns key, and a customer-managed key would add $1/month at rest for no protected content.",
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));

    for (const { name, queue, deadLetterQueue, fn } of props.pipelines) {
      this.alarm(`${name}DeadLetters`, {
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: "Maximum",
        }),
        threshold: 1,
        description: `Messages in the ${name} dead-letter queue: poison messages (attribute "reason") or records that failed every retry. \`notion-index-sync dlq list --queue ${name.toLowerCase()}\` shows why; fix the cause, then \`notion-index-sync dlq redrive\` (or purge what must not run again).`,
      });
      this.alarm(`${name}Errors`, {
        metric: fn.metricErrors({ period: PERIOD, statistic: "Sum" }),
        threshold: 1,
        description: `The ${name} function failed as a whole (cold start configuration, timeout, crash): see its log group. Single failed records do not count here; they are retried and dead-lettered.`,
      });
      this.alarm(`${name}Throttles`, {
        metric: fn.metricThrottles({ period: PERIOD, statistic: "Sum" }),
        threshold: 1,
        description: `The ${name} function was throttled: the account's Lambda concurrency is exhausted. Messages wait in the queue meanwhile.`,
      });
      this.alarm(`${name}QueueAge`, {
        metric: queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: "Maximum" }),
        threshold: props.oldestMessageAlarmSeconds,
        description: `The ${name} queue's oldest message is older than ${props.oldestMessageAlarmSeconds} s: the function is failing, throttled or far behind.`,
      });
    }
  }

  /**
   * The webhook's function URL: the share of requests answered 4xx (refused signatures, replays,
   * malformed bodies: a token that no longer matches Notion's, or someone probing the URL) and 5xx
   * (our failures: Notion retries, and the sweep catches up, but events are late meanwhile).
   * Rates, not counts, with a floor of requests, so one stray probe on an idle night stays quiet.
   */
  watchWebhook(fn: IFunction, logGroup: ILogGroup): void {
    const sum = (metricName: string) => fn.metric(metricName, { period: PERIOD, statistic: "Sum" });
    const rate = (errors: string, minimumRequests: number) =>
      new MathExpression({
        expression: `IF(FILL(requests, 0) >= ${minimumRequests}, 100 * FILL(errors, 0) / FILL(requests, 1), 0)`,
        usingMetrics: { requests: sum("UrlRequestCount"), errors: sum(errors) },
        period: PERIOD,
        label: `${errors} as % of requests`,
      });
    this.alarm("WebhookUrl4xxRate", {
      metric: rate("Url4xxCount", 10),
      threshold: 50,
      description:
        "Half or more of the webhook's requests (at least 10 in 5 minutes) were refused with 4xx: a verification token that no longer matches the Notion subscription (re-verify it: `webhook reset`, then `webhook token`), or someone probing the URL. Edits still arrive through the sweep.",
    });
    this.alarm("WebhookUrl5xxRate", {
      metric: rate("Url5xxCount", 1),
      threshold: 10,
      description:
        "10% or more of the webhook's requests failed with 5xx: see the webhook function's log group (table, queue or Secrets Manager errors, throttling). Notion retries failed deliveries and the sweep catches up meanwhile.",
    });
    // Answered 200 (Notion must not retry them), so the 4xx alarm never sees them: counted from the log.
    const foreignEvents = new MetricFilter(this, "WebhookForeignWorkspaceFilter", {
      logGroup,
      filterPattern: FilterPattern.stringValue("$.alert", "=", FOREIGN_WORKSPACE_ALERT),
      metricNamespace: metricsNamespace(Stack.of(this).stackName),
      metricName: "WebhookForeignWorkspaceEvents",
      metricValue: "1",
    });
    this.alarm("WebhookForeignWorkspaceEvents", {
      metric: foreignEvents.metric({ period: PERIOD, statistic: "Sum" }),
      threshold: 1,
      description:
        "The webhook ignored signed events of another Notion workspace than the binding's: the binding learnt a wrong workspace id, so near-real-time sync of that binding is dead (the sweep still catches edits). See the warning in the webhook's log group (alert webhook-foreign-workspace); `notion-index-sync webhook reset` gives the binding a new URL and forgets the learnt id: re-create the subscription in Notion with the new URL.",
    });
  }

  /**
   * The retrieval API's function URL: the share of requests it failed (5xx: our failures, or
   * Pinecone, the embedder or DynamoDB down). 4xx are the callers' (bad keys, bodies, rates): not
   * an operator's page.
   */
  watchQuery(fn: IFunction): void {
    const sum = (metricName: string) => fn.metric(metricName, { period: PERIOD, statistic: "Sum" });
    this.alarm("QueryUrl5xxRate", {
      metric: new MathExpression({
        expression: "IF(FILL(requests, 0) >= 5, 100 * FILL(errors, 0) / FILL(requests, 1), 0)",
        usingMetrics: { requests: sum("UrlRequestCount"), errors: sum("Url5xxCount") },
        period: PERIOD,
        label: "Url5xxCount as % of requests",
      }),
      threshold: 5,
      description:
        "5% or more of the retrieval API's requests (at least 5 in 5 minutes) failed with 5xx: applications get no answers. See the query function's log group ('query failed' lines name the reason: Pinecone, the embedder or DynamoDB).",
    });
  }

  /**
   * What the functions' own metrics say (lib/shared/metrics.ts): documents a run put in `error` (a
   * permanent failure is acknowledged, so the dead-letter alarms never see it), edits that take too
   * long to become searchable, and a binding whose token Notion refuses.
   */
  watchPipelineMetrics(options: { freshnessLagAlarmSeconds: number }): void {
    const metric = (key: MetricKey, fn: FunctionLabel, statistic: string, period = PERIOD) =>
      pipelineMetric(this, key, fn, statistic, period);
    const bothFunctions = (key: MetricKey, label: string) =>
      new MathExpression({
        expression: "FILL(sync, 0) + FILL(index, 0)",
        usingMetrics: { sync: metric(key, "sync", "Sum"), index: metric(key, "index", "Sum") },
        period: PERIOD,
        label,
      });
    this.alarm("DocumentsInError", {
      metric: bothFunctions("documentErrors", "documents newly in error"),
      threshold: 1,
      description:
        "A sync or index run put a document in status `error` (a revoked Notion token, a page past the extraction limits, an exhausted or refused embedding quota). Nothing is retried: see the dashboard's 'Errors by reason class', then `notion-index-sync status` for the documents and their reasons.",
    });
    this.alarm("FreshnessLag", {
      metric: metric("freshnessLag", "index", "p95", Duration.minutes(15)),
      threshold: options.freshnessLagAlarmSeconds,
      description: `The 95th percentile of freshness lag (a Notion edit to its vectors being served) passed ${options.freshnessLagAlarmSeconds} s over 15 minutes: edits reach the index late. Check the queues' age and depth, Notion 429s and budget waits on the dashboard, and \`notion-index-sync doctor\`.`,
    });
    this.alarm("NotionTokenRefused", {
      metric: bothFunctions("notionTokenRefused", "Notion 401 answers"),
      threshold: 1,
      description:
        "Notion refused a binding's token (401): it was revoked, or the integration was removed from the workspace. That binding's documents go to `error` until it is reconnected (`notion-index-sync connect`). The dashboard's Logs Insights query names the binding; `notion-index-sync doctor` checks every binding's token.",
    });
  }

  private alarm(id: string, options: { metric: IMetric; threshold: number; description: string }): void {
    const alarm = new Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No data (an idle queue or function) is healthy.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
