/**
 * The AWS query protocol as the real SDK clients speak it to CloudFormation and IAM: a
 * form-encoded `POST /` naming an `Action`, answered in XML, errors as `<ErrorResponse>`. Shared by
 * the stand-ins that speak it (local/cloudformation-server.ts, local/iam-server.ts), on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./json-http.js";

/** An action's answer: the XML inside `<{Action}Response>`. */
export type QueryAction = (params: URLSearchParams) => string;

export class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startQueryProtocolServer(
  xmlns: string,
  actions: Record<string, QueryAction>,
): Promise<{ url: string; close(): Promise<void> }> {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const params = new URLSearchParams(await readText(req));
      const action = params.get("Action") ?? "";
      const answer = actions[action];
      if (!answer) {
        throw new QueryError(
          "InvalidAction",
          `The action ${action || "(none)"} is not valid for this stand-in`,
        );
      }
      send(
        res,
        200,
        `<${action}Response xmlns="${xmlns}">${answer(params)}` +
          `<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      const failure = error instanceof QueryError ? error : new QueryError("InternalFailure", String(error));
      const body =
        `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>${xml(failure.code)}</Code>` +
        `<Message>${xml(failure.message)}</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`;
      send(res, failure.code === "InternalFailure" ? 500 : 400, body);
    }
  }
  const server = await listenOnLoopback(createServer((req, res) => void handle(req, res)));
  return { url: server.origin, close: server.close };
}

/** The values of a list parameter: `Name.member.1`, `Name.member.2`, … */
export function members(params: URLSearchParams, name: string): string[] {
  const values: string[] = [];
  for (let n = 1; params.has(`${name}.member.${n}`); n += 1)
    values.push(params.get(`${name}.member.${n}`) ?? "");
  return values;
}

export function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/xml", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
