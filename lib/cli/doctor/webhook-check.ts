/**
 * Check 5: each binding's webhook is verified. A binding's webhook goes through three states:
 * - no URL (`webhook url` never run): not set up, which is no failure;
 * - a URL but no verification token: Notion has not completed the handshake, so no event can be
 *   trusted (every signed event is refused): a failure;
 * - a token (in Secrets Manager, lib/adapters/aws/webhook-token-store.ts): verified once signed
 *   events arrive (the binding pinned its Notion workspace, or an event was recorded).
 * For a deployed stack the webhook function's role must also be able to read the token.
 */
import { createPolicySimulator } from "../../adapters/aws/iam-simulate.js";
import { describeSecret } from "../../adapters/aws/secret-admin.js";
import { createWebhookTokenStore, webhookTokenSecretName } from "../../adapters/aws/webhook-token-store.js";
import type { DataSourceBinding } from "../../core/model.js";
import { bindingLabel, type DoctorContext } from "./context.js";
import { type Check, type CheckResult, failed, passed, skipped } from "./run-checks.js";

const NAME = "webhook";

export function webhookCheck(context: DoctorContext): Check {
  return {
    name: NAME,
    async run() {
      const prefix =
        context.local?.webhookTokenSecretPrefix ?? context.stack?.outputs.WebhookTokenSecretPrefix;
      const url = context.local?.webhookUrl ?? context.stack?.outputs.WebhookUrl;
      if (!prefix || !url) return [skipped(NAME, `not set up: ${context.label} has no webhook endpoint`)];
      const withUrl = (await context.bindings()).filter(
        (binding) => !binding.disabled && binding.webhookPathSecret !== undefined,
      );
      if (withUrl.length === 0) {
        return [skipped(NAME, "not set up: no binding has a webhook URL (`notion-index-sync webhook url`)")];
      }
      return Promise.all(withUrl.map((binding) => checkBinding(context, prefix, binding)));
    },
  };
}

async function checkBinding(
  context: DoctorContext,
  prefix: string,
  binding: DataSourceBinding,
): Promise<CheckResult> {
  const check = `${NAME} (binding ${bindingLabel(binding)})`;
  const who = `--tenant ${binding.tenantId} --workspace ${binding.workspaceId}`;
  const store = createWebhookTokenStore(context.secretsManager(), { prefix });
  const token = await store.getToken(binding.tenantId, binding.workspaceId);
  if (token === undefined) {
    return failed(
      check,
      "not verified: Notion has not sent its verification token to the webhook URL",
      `create the subscription in the integration's Webhooks tab with the URL from \`notion-index-sync webhook url ${who}\`, then paste the token from \`notion-index-sync webhook token ${who}\` into Notion's Verify dialog`,
    );
  }
  if (context.kind === "stack") {
    const denied = await webhookRoleDenied(
      context,
      webhookTokenSecretName(prefix, binding.tenantId, binding.workspaceId),
    );
    if (denied) {
      return failed(
        check,
        denied,
        "deploy this version of the stack (`npx cdk deploy`): it grants the webhook its token prefix",
      );
    }
  }
  const eventsArrive =
    binding.notionWorkspaceId !== undefined ||
    (await context.health().hasWebhookEvents(binding.tenantId, binding.workspaceId));
  if (eventsArrive) return passed(check, "verified: signed events arrive");
  return passed(
    check,
    `verification token received; no signed event yet (if Notion still shows the subscription as unverified, paste the token from \`notion-index-sync webhook token ${who}\` into its Verify dialog)`,
  );
}

/** Why the webhook function's role may not read the token secret, or undefined when it may. */
async function webhookRoleDenied(context: DoctorContext, secretName: string): Promise<string | undefined> {
  const roleArn = await context.roleArn("webhook");
  if (!roleArn) return "the webhook function's role is not among the stack's resources";
  const { arn } = await describeSecret(context.secretsManager(), secretName);
  const simulator = createPolicySimulator();
  try {
    const decision = await simulator.decide(roleArn, "secretsmanager:GetSecretValue", arn);
    return decision === "allowed"
      ? undefined
      : `the webhook function's role may not read ${secretName} (${decision})`;
  } finally {
    simulator.destroy();
  }
}
