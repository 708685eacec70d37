/**
 * What an operator is told about, on one SNS topic (an email subscription is optional): messages in
 * a dead-letter queue, function errors and throttles, and a work queue whose oldest message is
 * too old (the consumer is stuck or far behind). Each alarm also notifies when it clears.
 */
import { Duration, Stack, Validations } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

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
        description: `Messages in the ${name} dead-letter queue: poison messages (attribute "reason") or records that failed every retry. Inspect them, fix the cause, then redrive or delete them.`,
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
