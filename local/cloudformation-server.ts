/**
 * A CloudFormation stand-in for tests, just enough for `--stack NAME` and `doctor`: DescribeStacks
 * and DescribeStackResources over the AWS query protocol the real `@aws-sdk/client-cloudformation`
 * uses (local/query-protocol.ts; `ValidationError` for a stack that does not exist), on 127.0.0.1.
 */
import { QueryError, startQueryProtocolServer, xml } from "./query-protocol.js";

export interface StandInStack {
  name: string;
  outputs: Record<string, string>;
  /** Default CREATE_COMPLETE. */
  status?: string;
  /** What DescribeStackResources lists (default none). */
  resources?: { logicalId: string; physicalId: string; type: string; status?: string }[];
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
    return `<DescribeStacksResult><Stacks>${members.join("")}</Stacks></DescribeStacksResult>`;
  };

  const describeStackResources = (params: URLSearchParams): string => {
    const name = params.get("StackName") ?? "";
    const stack = options.stacks.find(
      (candidate) => candidate.name === name || stackId(candidate.name) === name,
    );
    if (!stack) throw new QueryError("ValidationError", `Stack with id ${name} does not exist`);
    const members = (stack.resources ?? []).map(
      (resource) =>
        `<member><StackName>${xml(stack.name)}</StackName><StackId>${xml(stackId(stack.name))}</StackId>` +
        `<LogicalResourceId>${xml(resource.logicalId)}</LogicalResourceId>` +
        `<PhysicalResourceId>${xml(resource.physicalId)}</PhysicalResourceId>` +
        `<ResourceType>${xml(resource.type)}</ResourceType><Timestamp>${created}</Timestamp>` +
        `<ResourceStatus>${xml(resource.status ?? "CREATE_COMPLETE")}</ResourceStatus></member>`,
    );
    return `<DescribeStackResourcesResult><StackResources>${members.join("")}</StackResources></DescribeStackResourcesResult>`;
  };

  const server = await startQueryProtocolServer(XMLNS, {
    DescribeStacks: describeStacks,
    DescribeStackResources: describeStackResources,
  });
  return { url: server.url, region, stackId, close: server.close };
}
