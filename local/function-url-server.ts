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

export async function startFunctionUrlServer(
  handler: FunctionUrlHandler,
  options: { port?: number; functionName: string },
): Promise<FunctionUrlServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      let result: APIGatewayProxyStructuredResultV2;
      try {
        result = await handler(
          functionUrlEvent(req, body),
          localLambdaContext(options.functionName, { timeoutMs: 10_000, memoryMb: 256 }),
        );
      } catch {
        // Lambda answers 502 when the function itself fails.
        result = { statusCode: 502, body: JSON.stringify({ message: "Internal Server Error" }) };
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
