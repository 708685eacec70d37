/**
 * A CloudFormation stand-in for tests, just enough for `--stack NAME`: DescribeStacks over the AWS
 * query protocol the real `@aws-sdk/client-cloudformation` uses (form-encoded `POST /`, XML answers,
 * `ValidationError` for a stack that does not exist), on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./json-http.js";

export interface StandInStack {
  name: string;
  outputs: Record<string, string>;
  /** Default CREATE_COMPLETE. */
  status?: string;
}

export interface CloudFormationServerOptions {
  region?: string;
  accountId?: string;
  stacks: StandInStack[];
}

export interface CloudFormationStandIn {
  url: string;
  region: string;
  /** The StackId (an ARN naming the region) of a stack. */
  stackId(name: string): string;
  close(): Promise<void>;
}

const XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

export async function startCloudFormationServer(
  options: CloudFormationServerOptions,
): Promise<CloudFormationStandIn> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const stackId = (name: string) =>
    `arn:aws:cloudformation:${region}:${accountId}:stack/${name}/00000000-0000-0000-0000-000000000000`;
  const created = new Date().toISOString();

  const describeStacks = (params: URLSearchParams): string => {
    const name = params.get("StackName");
    const found = options.stacks.filter(
      (stack) => !name || stack.name === name || stackId(stack.name) === name,
    );
    if (name && found.length === 0) {
      throw new QueryError("ValidationError", `Stack with id ${name} does not exist`);
    }
    const members = found.map((stack) => {
      const outputs = Object.entries(stack.outputs)
        .map(
          ([key, value]) =>
            `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`,
        )
        .join("");
      return (
        `<member><StackName>${xml(stack.name)}</StackName><StackId>${xml(stackId(stack.name))}</StackId>` +
        `<CreationTime>${created}</CreationTime><StackStatus>${xml(stack.status ?? "CREATE_COMPLETE")}</StackStatus>` +
        `<Outputs>${outputs}</Outputs></member>`
      );
    });
    return (
      `<DescribeStacksResponse xmlns="${XMLNS}"><DescribeStacksResult><Stacks>${members.join("")}</Stacks>` +
      `</DescribeStacksResult><ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></DescribeStacksResponse>`
    );
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const params = new URLSearchParams(await readText(req));
      const action = params.get("Action");
      if (action !== "DescribeStacks") {
        throw new QueryError(
          "InvalidAction",
          `The action ${action ?? "(none)"} is not valid for this stand-in`,
        );
      }
      send(res, 200, describeStacks(params));
    } catch (error) {
      const failure = error instanceof QueryError ? error : new QueryError("InternalFailure", String(error));
      const body =
        `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${xml(failure.code)}</Code>` +
        `<Message>${xml(failure.message)}</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`;
      send(res, failure.code === "InternalFailure" ? 500 : 400, body);
    }
  }

  const server = await listenOnLoopback(createServer((req, res) => void handle(req, res)));
  return { url: server.origin, region, stackId, close: server.close };
}

class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function xml(text: string): string {
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
