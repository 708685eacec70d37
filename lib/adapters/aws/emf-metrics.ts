/**
 * The metrics port over Powertools Metrics: CloudWatch embedded metric format, one JSON line per
 * group of figures on stdout, which Lambda's log group turns into metrics with no API call.
 *
 * Figures are kept until `publish()` (once per invocation, by the handler's middleware), then
 * written one EMF record per distinct label set: Powertools gives one record one set of
 * dimensions. Counts and waits are summed in memory first (a run's thousand Notion requests are one
 * value); durations and lags keep each value, so CloudWatch can compute percentiles.
 *
 * A labelled figure is written twice: under `[service, function, <label>]` (a widget's breakdown)
 * and under `[service, function]` (the total an alarm reads). Powertools gives one record one set
 * of dimensions without warnings. (`service` is Powertools' own, always `notion-index-sync`.)
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { MetricsSink } from "../../core/ports.js";
import {
  BINDING_PROPERTY,
  FUNCTION_DIMENSION,
  type FunctionLabel,
  isSummed,
  METRICS,
  type MetricKey,
  type MetricLabels,
} from "../../shared/metrics.js";

export interface PublishedMetrics extends MetricsSink {
  /** Writes what was recorded since the last call; nothing when nothing was recorded. */
  publish(): void;
}

interface Group {
  labels: MetricLabels;
  binding: string | undefined;
  sums: Map<MetricKey, number>;
  values: Map<MetricKey, number[]>;
}

export function createEmfMetrics(options: {
  /** Default: POWERTOOLS_METRICS_NAMESPACE (set per stack); without either, nothing is written. */
  namespace?: string;
  functionLabel: FunctionLabel;
}): PublishedMetrics {
  const namespace = options.namespace ?? process.env.POWERTOOLS_METRICS_NAMESPACE;
  let groups = new Map<string, Group>();

  function groupOf(labels: MetricLabels, binding: string | undefined): Group {
    const key = JSON.stringify([labels, binding ?? null]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { labels, binding, sums: new Map(), values: new Map() };
      groups.set(key, group);
    }
    return group;
  }

  return {
    record(metric, value, labels = {}, properties = {}) {
      if (!Number.isFinite(value)) return;
      const targets = [groupOf(labels, properties.binding)];
      // A labelled figure also counts towards the function's total (the set alarms read).
      if (Object.keys(labels).length > 0) targets.push(groupOf({}, properties.binding));
      for (const group of targets) {
        if (isSummed(metric)) {
          group.sums.set(metric, (group.sums.get(metric) ?? 0) + value);
        } else {
          const values = group.values.get(metric);
          if (values) values.push(value);
          else group.values.set(metric, [value]);
        }
      }
    },
    publish() {
      const pending = groups;
      groups = new Map();
      // No namespace, no metrics: a handler loaded outside a stack (a test, a script) stays quiet
      // instead of writing to Powertools' `default_namespace`.
      if (!namespace) return;
      for (const group of pending.values()) {
        const metrics = new Metrics({
          namespace,
          serviceName: "notion-index-sync",
          defaultDimensions: { [FUNCTION_DIMENSION]: options.functionLabel },
        });
        const labelled = Object.entries(group.labels).filter(([, value]) => typeof value === "string");
        if (labelled.length > 0) metrics.addDimensions(Object.fromEntries(labelled));
        if (group.binding !== undefined) metrics.addMetadata(BINDING_PROPERTY, group.binding);
        for (const [metric, sum] of group.sums) add(metrics, metric, sum);
        for (const [metric, values] of group.values) for (const value of values) add(metrics, metric, value);
        metrics.publishStoredMetrics();
      }
    },
  };
}

function add(metrics: Metrics, metric: MetricKey, value: number): void {
  const { name, unit } = METRICS[metric];
  metrics.addMetric(name, MetricUnit[unit], value);
}
