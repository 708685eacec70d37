/** The sync function's per-record work: a unit sync or a sweep. Exported for tests. */
import type { Context, SQSRecord } from "aws-lambda";
import { isSweep, parseSyncMessage } from "../core/messages.js";
import type { DeadLetterSink, MessagePublisher, MetricsSink } from "../core/ports.js";
import { type SweepOptions, type SweepResult, sweep } from "../sync/sweep.js";
import { type SyncOptions, type SyncPorts, type SyncResult, syncDocument } from "../sync/sync-document.js";
import { recordSweepResult, recordSyncResult } from "../telemetry/result-metrics.js";
import { guardRecord } from "./guard-record.js";

export interface SyncRecordPorts extends SyncPorts {
  syncQueue: MessagePublisher;
  deadLetters: DeadLetterSink;
  metrics?: MetricsSink;
}

/** A reconcile releases one direct check a second unless told otherwise (Notion's budget is ~3/s). */
const DEFAULT_SWEEP_OPTIONS: SweepOptions = { reconcileChecksPerSecond: 1 };

export function createSyncRecordHandler(
  ports: SyncRecordPorts,
  options: SyncOptions & Partial<SweepOptions>,
) {
  const sweepOptions = { ...DEFAULT_SWEEP_OPTIONS, ...options };
  return async function handleSyncRecord(
    record: SQSRecord,
    context?: Pick<Context, "getRemainingTimeInMillis">,
  ): Promise<SyncResult | SweepResult | undefined> {
    let result: SyncResult | SweepResult | undefined;
    // A long listing stops in time and goes on in the next invocation.
    const invocation =
      typeof context?.getRemainingTimeInMillis === "function"
        ? { remainingMs: () => context.getRemainingTimeInMillis() }
        : undefined;
    await guardRecord(
      record,
      async (body) => {
        const message = parseSyncMessage(body);
        if (isSweep(message)) {
          const swept = await sweep(ports, message, sweepOptions, invocation);
          if (ports.metrics) recordSweepResult(ports.metrics, swept);
          result = swept;
          return;
        }
        try {
          result = await syncDocument(ports, message, options);
        } catch (error) {
          ports.metrics?.record("documentsSynced", 1, { outcome: "failed" });
          throw error;
        }
        if (ports.metrics) recordSyncResult(ports.metrics, result);
      },
      { deadLetters: ports.deadLetters, requeue: ports.syncQueue, log: ports.log, source: "sync" },
    );
    return result;
  };
}
