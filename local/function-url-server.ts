/**
 * A Lambda function URL on 127.0.0.1, for the local stack: a node:http server that turns each
 * request into the event a function URL sends (payload format 2.0: lower-cased headers, the body
 * as text, or base64 when it is not text) and calls the same handler module Lambda runs.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { listenOnLoopback } from "./json-http.js";
import { localLambdaContext } from "./lambda-context.js";

export type FunctionUrlHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface FunctionUrlServer {
  /** Base URL, ending in "/" like a function URL's. */
  url: string;
  close(): Promise<void>;
}

const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded)|text\/)/i;

/** A function URL takes at most 6 MB of request body (Lambda's synchronous payload limit). */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
/** What Lambda answers when the function fails, times out or cannot take the request. */
const failed = (statusCode: number, message: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message }),
});

export async function startFunctionUrlServer(
  handler: FunctionUrlHandler,
  options: {
    port?: number;
    functionName: string;
    /** The function's timeout, enforced as Lambda does: past it the caller gets 502 (default 10 s). */
    timeoutMs?: number;
    memoryMb?: number;
  },
): Promise<FunctionUrlServer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      let result: APIGatewayProxyStructuredResultV2;
      if (body.length > MAX_REQUEST_BYTES) {
        result = failed(413, "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
      } else {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<APIGatewayProxyStructuredResultV2>((resolve) => {
          timer = setTimeout(() => resolve(failed(502, "Internal Server Error")), timeoutMs);
        });
        try {
          result = await Promise.race([
            handler(
              functionUrlEvent(req, body),
              localLambdaContext(options.functionName, { timeoutMs, memoryMb: options.memoryMb ?? 256 }),
            ),
            timedOut,
          ]);
        } catch {
          // Lambda answers 502 when the function itself fails.
          result = failed(502, "Internal Server Error");
        } finally {
          clearTimeout(timer);
        }
      }
      res.writeHead(result.statusCode ?? 200, (result.headers ?? {}) as Record<string, string>);
      res.end(result.body ?? "");
    })();
  });
  const listening = await listenOnLoopback(server, options.port);
  return { url: `${listening.origin}/`, close: listening.close };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function functionUrlEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  // A function URL is HTTPS and says so; this server is plain HTTP on 127.0.0.1, and says that.
  headers["x-forwarded-proto"] ??= "http";
  const text = TEXT_TYPES.test(headers["content-type"] ?? "");
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: headers.host ?? "127.0.0.1",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : body.toString(text ? "utf8" : "base64"),
    isBase64Encoded: body.length > 0 && !text,
  };
}
