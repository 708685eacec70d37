/**
 * One of the functions' own metrics (lib/shared/metrics.ts) as CloudWatch keeps it: in the stack's
 * namespace, the function's total (the unlabelled dimension set). The dashboard and the alarms read
 * them through this one definition.
 */
import { Duration, Stack } from "aws-cdk-lib";
import { Metric } from "aws-cdk-lib/aws-cloudwatch";
import type { IConstruct } from "constructs";
import {
  FUNCTION_DIMENSION,
  type FunctionLabel,
  METRICS,
  type MetricKey,
  metricsNamespace,
} from "../lib/shared/metrics.js";
import { SERVICE_NAME } from "./function-defaults.js";

export function pipelineMetric(
  scope: IConstruct,
  key: MetricKey,
  fn: FunctionLabel,
  statistic: string,
  period = Duration.minutes(5),
): Metric {
  return new Metric({
    namespace: metricsNamespace(Stack.of(scope).stackName),
    metricName: METRICS[key].name,
    dimensionsMap: { service: SERVICE_NAME, [FUNCTION_DIMENSION]: fn },
    statistic,
    period,
  });
}
