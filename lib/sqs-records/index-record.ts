/** The index function's per-record work. Exported for tests. */
import type { Context, SQSRecord } from "aws-lambda";
import { parseIndexMessage } from "../core/messages.js";
import type { DeadLetterSink, MessagePublisher, MetricsSink } from "../core/ports.js";
import {
  type IndexOptions,
  type IndexPorts,
  type IndexResult,
  indexDocument,
} from "../indexing/index-document.js";
import { recordIndexResult } from "../telemetry/result-metrics.js";
import { guardRecord } from "./guard-record.js";

export interface IndexRecordPorts extends IndexPorts {
  deadLetters: DeadLetterSink;
  indexQueue: MessagePublisher;
  metrics?: MetricsSink;
}

export function createIndexRecordHandler(ports: IndexRecordPorts, options: IndexOptions) {
  return async function handleIndexRecord(
    record: SQSRecord,
    context?: Pick<Context, "getRemainingTimeInMillis">,
  ): Promise<IndexResult | undefined> {
    let result: IndexResult | undefined;
    // The run stops in time and goes on in the next invocation (Lambda's deadline, not a guess).
    const invocation =
      typeof context?.getRemainingTimeInMillis === "function"
        ? { remainingMs: () => context.getRemainingTimeInMillis() }
        : undefined;
    await guardRecord(
      record,
      async (body) => {
        const message = parseIndexMessage(body);
        const startedAt = Date.now();
        try {
          result = await indexDocument(ports, message, options, invocation);
        } catch (error) {
          // Retried (or dead-lettered after the last try): counted, then handed on as it was.
          ports.metrics?.record("documentsIndexed", 1, { outcome: "failed" });
          throw error;
        }
        if (ports.metrics) recordIndexResult(ports.metrics, result, Date.now() - startedAt);
      },
      { deadLetters: ports.deadLetters, requeue: ports.indexQueue, log: ports.log, source: "index" },
    );
    return result;
  };
}
