/**
 * What a function reports besides its work: metrics (EMF), the Notion meter that feeds them and the
 * usage ledger, and the tracer (lib/composition/traced-ports.ts wraps the ports with it). Built once
 * per cold start by the function files; `publishAfterEachInvocation` is their middy middleware.
 */
import type { MiddlewareObj } from "@middy/core";
import { createEmfMetrics, type PublishedMetrics } from "../adapters/aws/emf-metrics.js";
import { createTracer, type Tracer } from "../adapters/aws/tracing.js";
import type { Clock, Log, UsageLedger } from "../core/ports.js";
import type { FunctionLabel } from "../shared/metrics.js";
import { createNotionMeter, type NotionMeter } from "../telemetry/notion-meter.js";
import { recordUsage, workspaceUsageEntries } from "../telemetry/usage.js";

export interface FunctionTelemetry {
  metrics: PublishedMetrics;
  notionMeter: NotionMeter;
  tracer: Tracer;
}

export function createFunctionTelemetry(functionLabel: FunctionLabel): FunctionTelemetry {
  // The namespace comes from POWERTOOLS_METRICS_NAMESPACE, set per stack (infra/function-defaults.ts).
  const metrics = createEmfMetrics({ functionLabel });
  return { metrics, notionMeter: createNotionMeter(metrics), tracer: createTracer() };
}

/**
 * After every invocation, failed ones too: the Notion requests it made go to their workspaces' usage
 * (when `workspaceUsage` is given: the sync function's checks and sweeps; an index run records its
 * own, with its dataset), then the metrics are written.
 */
export function publishAfterEachInvocation(
  telemetry: FunctionTelemetry,
  options: { workspaceUsage?: UsageLedger; clock: Clock; log: Log },
): MiddlewareObj {
  const publish = async () => {
    const requests = telemetry.notionMeter.takeRequests();
    if (options.workspaceUsage) {
      await recordUsage(
        options.workspaceUsage,
        workspaceUsageEntries(requests, options.clock.now()),
        options.log,
      );
    }
    telemetry.metrics.publish();
  };
  return { after: publish, onError: publish };
}
