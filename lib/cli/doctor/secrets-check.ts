/**
 * Check 2: the secrets exist and the functions may read them. For each binding, its Notion token;
 * for a deployed stack also every secret its settings name (`*_SECRET_NAME` / `*_SECRET_ARN`: the
 * Pinecone key, the OpenAI key).
 * - deployed: DescribeSecret (it exists, and its ARN), then IAM's policy simulator for each function
 *   role that reads it: may it call secretsmanager:GetSecretValue on that ARN?
 * - local: the secret is read from the Secrets Manager stand-in as the functions read it.
 * Values are never printed: a line names the secret only.
 */
import { createPolicySimulator, type PolicySimulator } from "../../adapters/aws/iam-simulate.js";
import { secretReferences } from "../../adapters/aws/resolve-environment.js";
import { describeSecret } from "../../adapters/aws/secret-admin.js";
import type { DataSourceBinding } from "../../core/model.js";
import { parseSecretRef } from "../../core/secret-ref.js";
import { bindingLabel, type DoctorContext, type FunctionKey, reconnectCommand } from "./context.js";
import { type Check, type CheckResult, failed, passed, reasonOf, skipped } from "./run-checks.js";

const NAME = "secrets";

/** Which functions read each setting's secret (infra/stack.ts grants them). */
const READERS: Record<string, FunctionKey[]> = {
  PINECONE_API_KEY: ["sync", "index", "query"],
  OPENAI_API_KEY: ["index", "query"],
};
const TOKEN_READERS: FunctionKey[] = ["sync", "index"];

export function secretsCheck(context: DoctorContext): Check {
  return {
    name: NAME,
    async run() {
      const simulator = context.kind === "stack" ? createPolicySimulator() : undefined;
      try {
        const settings =
          context.kind === "stack"
            ? await Promise.all(
                secretReferences(context.env).map((reference) =>
                  settingSecret(
                    context,
                    simulator,
                    reference.setting,
                    reference.variable,
                    reference.secretId,
                  ),
                ),
              )
            : [];
        const bindings = await context.bindings();
        if (bindings.length === 0) {
          return [
            ...settings,
            skipped(
              `${NAME} (bindings)`,
              "no Notion binding yet: connect a workspace with `notion-index-sync connect`",
            ),
          ];
        }
        const tokens = await Promise.all(bindings.map((binding) => tokenSecret(context, simulator, binding)));
        return [...settings, ...tokens];
      } finally {
        simulator?.destroy();
      }
    },
  };
}

async function settingSecret(
  context: DoctorContext,
  simulator: PolicySimulator | undefined,
  setting: string,
  variable: string,
  secretId: string,
): Promise<CheckResult> {
  const check = `secret ${setting}`;
  const readers = (READERS[variable] ?? ["sync", "index"]).filter(
    // The query function exists only in stacks that output its name.
    (fn) => fn !== "query" || context.stack?.outputs.QueryFunctionName !== undefined,
  );
  let arn: string;
  try {
    ({ arn } = await describeSecret(context.secretsManager(), secretId));
  } catch (error) {
    return failed(
      check,
      reasonOf(error),
      `create the secret ${secretId} holding ${variable} (docs/deploy-and-operate.md), or deploy with the name of the one you have`,
    );
  }
  const denied = await deniedRoles(context, simulator, readers, arn);
  if (denied.length > 0) {
    return failed(
      check,
      `secret ${secretId} exists, but ${denied.join("; ")}`,
      "deploy this version of the stack (`npx cdk deploy`): it grants each function the secrets it reads",
    );
  }
  return passed(check, `secret ${secretId} exists; ${readers.join(", ")} functions may read it`);
}

async function tokenSecret(
  context: DoctorContext,
  simulator: PolicySimulator | undefined,
  binding: DataSourceBinding,
): Promise<CheckResult> {
  const check = `secret (binding ${bindingLabel(binding)})`;
  if (binding.disabled) return skipped(check, "the binding is disabled");
  const reconnect = `reconnect: ${reconnectCommand(binding)} (stores the token from NOTION_TOKEN in a new secret)`;
  let secretId: string;
  try {
    ({ secretId } = parseSecretRef(binding.tokenRef));
  } catch (error) {
    return failed(check, reasonOf(error), reconnect);
  }
  if (context.kind === "local") {
    try {
      await context.readSecret(secretId);
      return passed(check, `token secret ${secretId} can be read with the functions' configuration`);
    } catch (error) {
      return failed(check, `the token ${reasonOf(error)}`, reconnect);
    }
  }
  let arn: string;
  try {
    ({ arn } = await describeSecret(context.secretsManager(), secretId));
  } catch (error) {
    return failed(check, `the token ${reasonOf(error)}`, reconnect);
  }
  const denied = await deniedRoles(context, simulator, TOKEN_READERS, arn);
  if (denied.length > 0) {
    const prefix = context.stack?.outputs.NotionTokenSecretPrefix;
    return failed(
      check,
      `token secret ${secretId} exists, but ${denied.join("; ")}`,
      `${reconnect}${prefix ? `: the functions may read only secrets whose name starts with ${prefix}` : ""}`,
    );
  }
  return passed(check, `token secret exists; ${TOKEN_READERS.join(", ")} functions may read it`);
}

/** "the sync function's role may not read it", one entry per role the simulator does not allow. */
async function deniedRoles(
  context: DoctorContext,
  simulator: PolicySimulator | undefined,
  readers: FunctionKey[],
  secretArn: string,
): Promise<string[]> {
  if (!simulator) return [];
  const denied = await Promise.all(
    readers.map(async (fn) => {
      const roleArn = await context.roleArn(fn);
      if (!roleArn) return `the ${fn} function's role is not among the stack's resources`;
      const decision = await simulator.decide(roleArn, "secretsmanager:GetSecretValue", secretArn);
      return decision === "allowed" ? undefined : `the ${fn} function's role may not read it (${decision})`;
    }),
  );
  return denied.filter((entry) => entry !== undefined);
}
