/**
 * Lambda function URL (and API Gateway HTTP API) events, payload format 2.0, to and from the
 * webhook's request and response. Function URLs lower-case header names and base64-encode bodies
 * that are not text, so the raw bytes the signature covers are restored here.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { Log } from "../core/ports.js";
import type { WebhookRequest, WebhookResponse } from "./handle-request.js";

export function requestFromFunctionUrlEvent(event: APIGatewayProxyEventV2): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = event.body ?? "";
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    headers,
    body: Buffer.from(body, event.isBase64Encoded ? "base64" : "utf8"),
  };
}

export function functionUrlResult(response: WebhookResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(response.body),
  };
}

/**
 * The per-request function the Lambda handler wraps (exported for tests): a failure of ours is a
 * 500, logged with its reason, so Notion retries the event later.
 */
export function createFunctionUrlHandler(
  handle: (request: WebhookRequest) => Promise<WebhookResponse>,
  log: Log,
) {
  return async function handleFunctionUrlEvent(
    event: APIGatewayProxyEventV2,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    try {
      return functionUrlResult(await handle(requestFromFunctionUrlEvent(event)));
    } catch (error) {
      log.error("webhook request failed; Notion will retry it", {
        reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return functionUrlResult({ status: 500, body: { error: "internal error" } });
    }
  };
}
