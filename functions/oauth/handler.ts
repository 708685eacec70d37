/**
 * OAuth function: Notion public integrations' authorization code flow, behind a Lambda function URL
 * (`GET /oauth/start`, `GET /oauth/callback`). Wiring only: config validated and clients built at
 * module scope (once per cold start), the work in lib/oauth. ADR 0016.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { loadOAuthConfig } from "../../lib/composition/oauth-config.js";
import { systemClock } from "../../lib/core/clock.js";
import { createFunctionUrlHandler } from "../../lib/http/function-url-event.js";
import { createOAuthRequestHandler, OAUTH_FAILURE } from "../../lib/oauth/handle-request.js";
import { createOAuthAdapters, oauthOptionsFrom } from "./adapters.js";

const config = loadOAuthConfig(process.env);
const logger = new Logger({ serviceName: "notion-index-sync", persistentKeys: { function: "oauth" } });
const handleRequest = createOAuthRequestHandler(
  { ...createOAuthAdapters(config), clock: systemClock, log: logger },
  oauthOptionsFrom(config),
);
const handleEvent = createFunctionUrlHandler(handleRequest, logger, OAUTH_FAILURE);

export const handler = middy((event: APIGatewayProxyEventV2) => handleEvent(event)).use(
  // Never log the event: its query string holds the authorization code and the state.
  injectLambdaContext(logger, { logEvent: false }),
);
