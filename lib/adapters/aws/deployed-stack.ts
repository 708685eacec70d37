/**
 * `--stack NAME`: a deployed stack, found through its CloudFormation outputs. The region comes from
 * the AWS SDK's usual chain (AWS_REGION, AWS_PROFILE); the stack's own region is then read from its id.
 */
import { CloudFormationClient, DescribeStacksCommand, type Stack } from "@aws-sdk/client-cloudformation";
import { PermanentError } from "../../shared/errors.js";
import { REQUIRED_OUTPUTS, SETTING_OUTPUTS, type SettingOutput } from "../../shared/stack-outputs.js";
import { awsClientOptions } from "./aws-clients.js";

export interface DeployedStack {
  name: string;
  region: string;
  status: string;
  outputs: Record<string, string>;
}

export async function describeDeployedStack(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DeployedStack> {
  const endpoint = env.CLOUDFORMATION_ENDPOINT || undefined;
  const client = new CloudFormationClient(
    awsClientOptions(env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined, endpoint),
  );
  let stack: Stack;
  try {
    stack = await describeStack(client, name);
  } finally {
    client.destroy();
  }
  const outputs = Object.fromEntries(
    (stack.Outputs ?? []).flatMap((output) =>
      output.OutputKey && output.OutputValue !== undefined ? [[output.OutputKey, output.OutputValue]] : [],
    ),
  );
  const status = stack.StackStatus ?? "UNKNOWN";
  const missing = REQUIRED_OUTPUTS.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new PermanentError(
      `stack ${name} (${status}) has no output ${missing.join(", ")}: is it a notion-index-sync stack, and has \`npx cdk deploy\` finished?`,
    );
  }
  return { name, region: regionOf(stack.StackId) ?? env.AWS_REGION ?? "us-east-1", status, outputs };
}

async function describeStack(client: CloudFormationClient, name: string): Promise<Stack> {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: name }));
    const [stack] = Stacks ?? [];
    if (stack) return stack;
  } catch (error) {
    throw explain(name, error);
  }
  throw new PermanentError(`stack ${name} does not exist`);
}

/** The settings the stack's functions run with (names of secrets included, values not). */
export function stackEnvironment(stack: DeployedStack): Record<string, string> {
  const env: Record<string, string> = { AWS_REGION: stack.region };
  for (const [output, setting] of Object.entries(SETTING_OUTPUTS)) {
    const value = stack.outputs[output as SettingOutput];
    if (value) env[setting] = value;
  }
  return env;
}

function regionOf(stackId: string | undefined): string | undefined {
  // arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>
  return stackId?.split(":")[3] || undefined;
}

function explain(name: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  const errorName = error instanceof Error ? error.name : "";
  if (/does not exist/.test(reason)) {
    return new PermanentError(`stack ${name} does not exist (check the name and AWS_REGION / AWS_PROFILE)`);
  }
  if (/Region is missing/i.test(reason)) {
    return new PermanentError(`--stack ${name}: no AWS region: set AWS_REGION or AWS_PROFILE`);
  }
  if (errorName === "CredentialsProviderError" || /credential/i.test(reason)) {
    return new PermanentError(`--stack ${name}: no AWS credentials (${reason})`);
  }
  return new PermanentError(`--stack ${name}: reading the stack failed: ${errorName}: ${reason}`, {
    cause: error,
  });
}
