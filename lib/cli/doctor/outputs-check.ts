/**
 * Check 1, the stack itself: a deployed stack's outputs (every one the CLI reads, and a status that
 * is not a failed deploy); the local stack's info file, its process, and that each endpoint it names
 * answers.
 */
import { INFO_OUTPUTS, REQUIRED_OUTPUTS, SETTING_OUTPUTS } from "../../shared/stack-outputs.js";
import { localInfoPath } from "../local-stack-info.js";
import type { DoctorContext } from "./context.js";
import { type Check, type CheckResult, failed, passed } from "./run-checks.js";

const NAME = "outputs";

export function outputsCheck(context: DoctorContext): Check {
  return {
    name: NAME,
    run: async () => [context.kind === "local" ? await localOutputs(context) : deployedOutputs(context)],
  };
}

/** Every output the CLI reads; the OpenAI key's only with the openai provider (the stack writes it only then). */
export function expectedOutputs(outputs: Record<string, string>): string[] {
  return [...Object.keys(SETTING_OUTPUTS), ...INFO_OUTPUTS].filter(
    (name) => name !== "OpenaiApiKeySecretName" || outputs.EmbeddingProvider === "openai",
  );
}

function deployedOutputs(context: DoctorContext): CheckResult {
  const { stack } = context;
  if (!stack) {
    return failed(
      NAME,
      context.stackError ?? `${context.label} cannot be read`,
      "check the stack name and AWS_REGION / AWS_PROFILE, and that you may call cloudformation:DescribeStacks",
    );
  }
  const expected = expectedOutputs(stack.outputs);
  const missing = expected.filter((name) => !stack.outputs[name]);
  const required = missing.filter((name) => (REQUIRED_OUTPUTS as readonly string[]).includes(name));
  if (/FAILED$|^ROLLBACK_COMPLETE$|^DELETE_/.test(stack.status)) {
    return failed(
      NAME,
      `${context.label} is ${stack.status}`,
      "see the stack's events in the CloudFormation console, fix the cause and run `npx cdk deploy` again",
    );
  }
  if (missing.length > 0) {
    const which = required.length > 0 ? ` (the CLI cannot work without ${required.join(", ")})` : "";
    return failed(
      NAME,
      `${context.label} (${stack.status}) has no output ${missing.join(", ")}${which}`,
      "deploy this version of the stack: `npx cdk deploy`",
    );
  }
  return passed(NAME, `${expected.length} outputs present (${stack.status})`);
}

async function localOutputs(context: DoctorContext): Promise<CheckResult> {
  const info = context.local;
  if (!info) {
    return failed(NAME, `no local stack: ${localInfoPath()} does not exist`, "start it with `npm start`");
  }
  const restart =
    "start the local stack again with `npm start` (local.json is left from a stack that is no longer running)";
  if (!processRuns(info.pid)) {
    return failed(NAME, `the local stack's process (pid ${info.pid}) is not running`, restart);
  }
  const endpoints: [string, string | undefined][] = [
    ["DynamoDB", info.dynamodbEndpoint],
    ["SQS", info.sqsEndpoint],
    ["Secrets Manager", info.secretsManagerEndpoint],
    ["Pinecone", info.pineconeStandIn ? info.pineconeHost : undefined],
    ["Notion", info.demo ? info.notionBaseUrl : undefined],
    ["webhook", info.webhookUrl],
    ["query API", info.queryUrl],
  ];
  const present = endpoints.filter((entry): entry is [string, string] => entry[1] !== undefined);
  const timeoutMs = Math.max(1000, Math.floor(context.timeoutMs / 2));
  const silent = (
    await Promise.all(
      present.map(async ([name, url]) => ((await answers(url, timeoutMs)) ? undefined : `${name} (${url})`)),
    )
  ).filter((entry) => entry !== undefined);
  if (silent.length > 0) {
    return failed(NAME, `local.json names endpoints that do not answer: ${silent.join(", ")}`, restart);
  }
  return passed(NAME, `local.json found; ${present.length} endpoints answer`);
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Any HTTP answer counts: the point is that something listens there. */
async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}
