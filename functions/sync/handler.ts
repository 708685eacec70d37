/**
 * Sync function: SyncQueue → "has the Notion page changed?" → claim a new generation, publish to
 * IndexQueue (the index run replaces the old segments and vectors); archive deleted pages.
 * Wiring only: config and clients at module scope (once per cold start), logic in lib/.
 * Secret settings (`*_SECRET_NAME` / `*_SECRET_ARN`) are read from Secrets Manager before the
 * configuration is validated; their values never enter process.env.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context, SQSEvent } from "aws-lambda";
import { resolveSecretEnvironment } from "../../lib/adapters/aws/resolve-environment.js";
import { loadConfig } from "../../lib/composition/config.js";
import { createCoreAdapters } from "../../lib/composition/core-adapters.js";
import {
  createFunctionTelemetry,
  publishAfterEachInvocation,
} from "../../lib/composition/function-telemetry.js";
import { withTracing } from "../../lib/composition/traced-ports.js";
import { systemClock } from "../../lib/core/clock.js";
import { createSyncRecordHandler } from "../../lib/sqs-records/sync-record.js";
import { validateSyncOptions } from "../../lib/sync/sync-document.js";

const config = loadConfig(await resolveSecretEnvironment(process.env));
const logger = new Logger({ serviceName: "notion-index-sync", persistentKeys: { function: "sync" } });
const telemetry = createFunctionTelemetry("sync");
const adapters = withTracing(
  telemetry.tracer,
  createCoreAdapters(config, { notionObserver: telemetry.notionMeter }),
);
const processor = new BatchProcessor(EventType.SQS);
const handleRecord = createSyncRecordHandler(
  {
    ...adapters,
    deadLetters: adapters.syncDeadLetters,
    metrics: telemetry.metrics,
    clock: systemClock,
    log: logger,
  },
  {
    ...validateSyncOptions({ leaseSeconds: config.LEASE_SECONDS }),
    stopBeforeDeadlineMs: config.SWEEP_STOP_BEFORE_DEADLINE_SECONDS * 1000,
  },
);

export const handler = middy((event: SQSEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, { context }),
)
  .use(captureLambdaHandler(telemetry.tracer, { captureResponse: false }))
  .use(
    publishAfterEachInvocation(telemetry, {
      workspaceUsage: adapters.usage,
      clock: systemClock,
      log: logger,
    }),
  )
  .use(
    // Never log the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: it can hold a secret (the
    // webhook handshake's verification token) or page text.
    injectLambdaContext(logger, { logEvent: false }),
  );
