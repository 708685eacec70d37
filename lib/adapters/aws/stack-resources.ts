/**
 * A deployed stack as `doctor` reads it: its outputs without `describeDeployedStack`'s insistence on
 * the required ones (a missing output is what doctor reports, not a reason to stop), and its
 * resources (the functions' roles, the sweep schedule) through DescribeStackResources.
 */
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import { PermanentError } from "../../shared/errors.js";
import { awsClientOptions } from "./aws-clients.js";

export interface StackFacts {
  name: string;
  stackId: string;
  region: string;
  status: string;
  outputs: Record<string, string>;
}

export interface StackResource {
  logicalId: string;
  physicalId: string;
  type: string;
  status: string;
}

function cloudFormationClient(env: NodeJS.ProcessEnv): CloudFormationClient {
  return new CloudFormationClient(
    awsClientOptions(
      env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
      env.CLOUDFORMATION_ENDPOINT || undefined,
    ),
  );
}

export async function describeStackFacts(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StackFacts> {
  const client = cloudFormationClient(env);
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: name }));
    const stack = Stacks?.[0];
    if (!stack) throw new PermanentError(`stack ${name} does not exist`);
    const stackId = stack.StackId ?? "";
    return {
      name,
      stackId,
      // arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>
      region: stackId.split(":")[3] || env.AWS_REGION || "us-east-1",
      status: stack.StackStatus ?? "UNKNOWN",
      outputs: Object.fromEntries(
        (stack.Outputs ?? []).flatMap((output) =>
          output.OutputKey && output.OutputValue ? [[output.OutputKey, output.OutputValue]] : [],
        ),
      ),
    };
  } catch (error) {
    if (error instanceof PermanentError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    if (/does not exist/.test(reason)) {
      throw new PermanentError(`stack ${name} does not exist (check the name and AWS_REGION / AWS_PROFILE)`);
    }
    throw new PermanentError(`reading stack ${name} failed: ${reason}`, { cause: error });
  } finally {
    client.destroy();
  }
}

export async function listStackResources(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StackResource[]> {
  const client = cloudFormationClient(env);
  try {
    const { StackResources = [] } = await client.send(new DescribeStackResourcesCommand({ StackName: name }));
    return StackResources.map((resource) => ({
      logicalId: resource.LogicalResourceId ?? "",
      physicalId: resource.PhysicalResourceId ?? "",
      type: resource.ResourceType ?? "",
      status: resource.ResourceStatus ?? "UNKNOWN",
    }));
  } finally {
    client.destroy();
  }
}

/**
 * The ARN of a role the stack created, from its physical id (the role's name): the stack's own
 * partition and account, and the default path "/", which the stack's roles use.
 */
export function roleArnOf(stackId: string, roleName: string): string {
  const [, partition = "aws", , , account = ""] = stackId.split(":");
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}
