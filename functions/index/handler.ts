/**
 * Index function: IndexQueue → extract → clean → split → embed → upsert vectors → write segments.
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
import { createAdapters } from "../../lib/composition/from-config.js";
import {
  createFunctionTelemetry,
  publishAfterEachInvocation,
} from "../../lib/composition/function-telemetry.js";
import { withTracing } from "../../lib/composition/traced-ports.js";
import { systemClock } from "../../lib/core/clock.js";
import { embedderReady } from "../../lib/embedding/dimension-check.js";
import { createIndexRecordHandler } from "../../lib/sqs-records/index-record.js";

const config = loadConfig(await resolveSecretEnvironment(process.env));
const logger = new Logger({ serviceName: "notion-index-sync", persistentKeys: { function: "index" } });
const telemetry = createFunctionTelemetry("index");
const adapters = withTracing(
  telemetry.tracer,
  createAdapters(config, { notionObserver: telemetry.notionMeter }),
);
// A model whose dimension differs from the Pinecone index's fails here, before any work.
await embedderReady(adapters.embedder);
const processor = new BatchProcessor(EventType.SQS);
const handleRecord = createIndexRecordHandler(
  {
    ...adapters,
    deadLetters: adapters.indexDeadLetters,
    metrics: telemetry.metrics,
    clock: systemClock,
    log: logger,
  },
  {
    leaseSeconds: config.LEASE_SECONDS,
    checkpointEveryMs: config.CHECKPOINT_EVERY_SECONDS * 1000,
    stopBeforeDeadlineMs: config.STOP_BEFORE_DEADLINE_SECONDS * 1000,
  },
);

export const handler = middy((event: SQSEvent, context: Context) =>
  processPartialResponse(event, handleRecord, processor, { context }),
)
  .use(captureLambdaHandler(telemetry.tracer, { captureResponse: false }))
  .use(publishAfterEachInvocation(telemetry, { clock: systemClock, log: logger }))
  .use(
    // Never log the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: it can hold a secret (the
    // webhook handshake's verification token) or page text.
    injectLambdaContext(logger, { logEvent: false }),
  );
