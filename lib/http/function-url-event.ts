/**
 * Lambda function URL (and API Gateway HTTP API) events, payload format 2.0, to and from a plain
 * HTTP request and response, for the two functions behind a URL (webhook, query). Function URLs
 * lower-case header names and base64-encode bodies that are not text, so the raw bytes (which a
 * webhook signature covers) are restored here.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { Log } from "../core/ports.js";

export interface HttpRequest {
  method: string;
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
  /** The raw bytes. */
  body: Buffer;
  /** The raw query string, without "?" (function URLs hand it over as `rawQueryString`). */
  query?: string;
}

export interface HttpResponse {
  status: number;
  /** Sent as JSON. */
  body: unknown;
  /** More headers than `content-type: application/json`. */
  headers?: Record<string, string>;
  /** Sent as it is instead of `body` as JSON (with its own content-type in `headers`): an HTML page. */
  rawBody?: string;
}

export function requestFromFunctionUrlEvent(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = event.body ?? "";
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    headers,
    body: Buffer.from(body, event.isBase64Encoded ? "base64" : "utf8"),
    query: event.rawQueryString ?? "",
  };
}

export function functionUrlResult(response: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: { "content-type": "application/json", ...response.headers },
    body: response.rawBody ?? JSON.stringify(response.body),
  };
}

/**
 * The per-request function the Lambda handler wraps (exported for tests): a failure the handler did
 * not answer itself is a 500 with `failureBody`, logged with its reason and `failureMessage`.
 */
export function createFunctionUrlHandler(
  handle: (request: HttpRequest) => Promise<HttpResponse>,
  log: Log,
  failure: { message: string; body: unknown },
) {
  return async function handleFunctionUrlEvent(
    event: APIGatewayProxyEventV2,
  ): Promise<APIGatewayProxyStructuredResultV2> {
    try {
      return functionUrlResult(await handle(requestFromFunctionUrlEvent(event)));
    } catch (error) {
      log.error(failure.message, {
        reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return functionUrlResult({ status: 500, body: failure.body });
    }
  };
}
