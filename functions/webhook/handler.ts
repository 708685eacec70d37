/**
 * Webhook function: Notion's integration webhooks (behind a Lambda function URL) → delayed unit sync
 * messages on SyncQueue. Wiring only: config validated and clients built at module scope (once per
 * cold start), the work in lib/webhooks. It never calls Notion and never syncs by itself.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { loadWebhookConfig } from "../../lib/composition/webhook-config.js";
import { systemClock } from "../../lib/core/clock.js";
import { createFunctionUrlHandler } from "../../lib/http/function-url-event.js";
import { createWebhookRequestHandler, WEBHOOK_FAILURE } from "../../lib/webhooks/handle-request.js";
import { createWebhookAdapters, webhookOptionsFrom } from "./adapters.js";

const config = loadWebhookConfig(process.env);
const logger = new Logger({ serviceName: "notion-index-sync", persistentKeys: { function: "webhook" } });
const handleRequest = createWebhookRequestHandler(
  { ...createWebhookAdapters(config), clock: systemClock, log: logger },
  webhookOptionsFrom(config),
);
const handleEvent = createFunctionUrlHandler(handleRequest, logger, WEBHOOK_FAILURE);

export const handler = middy((event: APIGatewayProxyEventV2) => handleEvent(event)).use(
  // Never log the event, whatever POWERTOOLS_LOGGER_LOG_EVENT says: it can hold a secret (the
  // webhook handshake's verification token) or page text.
  injectLambdaContext(logger, { logEvent: false }),
);
