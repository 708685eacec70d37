/**
 * The HTTP plumbing every stand-in shares: a server on 127.0.0.1 only (never the network) with a
 * random port, JSON in and out, and a close that also drops kept-alive connections (the SDK clients
 * hold them open).
 * `http2: true` serves cleartext HTTP/2 (h2c), which is what the Bedrock Runtime client speaks.
 */
import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import {
  createServer as createHttp2Server,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from "node:http2";
import type { AddressInfo } from "node:net";

export interface JsonServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

export type JsonRequest = IncomingMessage | Http2ServerRequest;
export type JsonResponse = ServerResponse | Http2ServerResponse;
export type JsonHandler = (req: JsonRequest, res: JsonResponse) => Promise<void>;

export interface JsonServerOptions {
  port?: number;
  http2?: boolean;
}

export async function startJsonServer(
  handler: JsonHandler,
  options: JsonServerOptions = {},
): Promise<JsonServer> {
  const serve = (req: JsonRequest, res: JsonResponse) => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: String(error) });
    });
  };
  const sessions = new Set<Http2Session>();
  const server = options.http2 ? createHttp2Server(serve) : createServer(serve);
  server.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const listening = await listenOnLoopback(server, options.port);
  return {
    origin: listening.origin,
    close: async () => {
      for (const session of sessions) session.destroy();
      await listening.close();
    },
  };
}

/**
 * Starts `server` on 127.0.0.1 (a random port unless given); its close also drops kept-alive
 * connections. The one way a stand-in listens.
 */
export async function listenOnLoopback(
  server: HttpServer | Http2Server,
  port = 0,
): Promise<{ origin: string; port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}

/** The parsed JSON body; undefined when the body is empty or not JSON. */
export async function readJson(req: JsonRequest): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

export function sendJson(
  res: JsonResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A request's own field as a plain object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
