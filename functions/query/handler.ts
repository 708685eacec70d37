/**
 * Query function: the retrieval API (`POST /v1/query`, behind a Lambda function URL) for the
 * applications that read the index. Wiring only: config validated and clients built at module
 * scope (once per cold start), the rules in lib/retrieval. It reads; it never writes content.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { resolveSecretEnvironment } from "../../lib/adapters/aws/resolve-environment.js";
import { createTracer } from "../../lib/adapters/aws/tracing.js";
import { loadQueryConfig } from "../../lib/composition/query-config.js";
import { withTracing } from "../../lib/composition/traced-ports.js";
import { createFunctionUrlHandler } from "../../lib/http/function-url-event.js";
import { QUERY_FAILURE } from "../../lib/retrieval/query-api.js";
import { createKeyedQueryApi, createQueryAdapters } from "./adapters.js";

const config = loadQueryConfig(await resolveSecretEnvironment(process.env));
const logger = new Logger({ serviceName: "notion-index-sync", persistentKeys: { function: "query" } });
// Pinecone and the embedder in their own subsegments: where a slow answer spent its time.
const tracer = createTracer();
const handleEvent = createFunctionUrlHandler(
  createKeyedQueryApi(config, withTracing(tracer, createQueryAdapters(config)), logger),
  logger,
  QUERY_FAILURE,
);

export const handler = middy((event: APIGatewayProxyEventV2) => handleEvent(event))
  // Neither the request (the caller's key and question) nor the answer (page text) goes in a trace.
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(
    // Never log the event: it holds the caller's API key and question.
    injectLambdaContext(logger, { logEvent: false }),
  );
