/**
 * What a function reports besides its work: metrics (EMF), the Notion meter that feeds them and the
 * usage ledger, and X-Ray traces around the calls to Notion, Pinecone and the embedder. Built once
 * per cold start by the function files; `publishAfterEachInvocation` is their middy middleware.
 */
import type { MiddlewareObj } from "@middy/core";
import { createEmfMetrics, type PublishedMetrics } from "../adapters/aws/emf-metrics.js";
import { createTracer, traced, traceNotion } from "../adapters/aws/tracing.js";
import type { Clock, Log, UsageLedger } from "../core/ports.js";
import type { FunctionLabel } from "../shared/metrics.js";
import { createNotionMeter, type NotionMeter } from "../telemetry/notion-meter.js";
import { recordUsage, workspaceUsageEntries } from "../telemetry/usage.js";
import type { CoreAdapters } from "./core-adapters.js";
import type { Adapters } from "./from-config.js";

export interface FunctionTelemetry {
  metrics: PublishedMetrics;
  notionMeter: NotionMeter;
  tracer: ReturnType<typeof createTracer>;
}

export function createFunctionTelemetry(functionLabel: FunctionLabel): FunctionTelemetry {
  // The namespace comes from POWERTOOLS_METRICS_NAMESPACE, set per stack (infra/function-defaults.ts).
  const metrics = createEmfMetrics({ functionLabel });
  return { metrics, notionMeter: createNotionMeter(metrics), tracer: createTracer() };
}

export function withTracing<T extends CoreAdapters>(telemetry: FunctionTelemetry, adapters: T): T {
  const { tracer } = telemetry;
  return {
    ...adapters,
    notion: traceNotion(tracer, adapters.notion),
    vectors: traced(tracer, "Pinecone", adapters.vectors, ["upsert", "deleteIds", "listIds", "query"]),
  };
}

export function withEmbedderTracing(telemetry: FunctionTelemetry, adapters: Adapters): Adapters {
  const { tracer } = telemetry;
  const embedderMethods = ["embedDocuments", "embedQuery"] as const;
  return {
    ...withTracing(telemetry, adapters),
    embedder: traced(tracer, "Embedder", adapters.embedder, [...embedderMethods]),
    embedders: {
      forDataset: (dataset) =>
        traced(tracer, "Embedder", adapters.embedders.forDataset(dataset), [...embedderMethods]),
    },
  };
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
