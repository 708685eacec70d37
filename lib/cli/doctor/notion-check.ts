/**
 * Check 4: Notion accepts each binding's token (`GET /v1/users/me`, one request per binding, the
 * cheapest call there is). A 401 means the integration's token was revoked or replaced: reconnect.
 * The token is read from its secret as the functions read it, and is never printed.
 */
import { Client, LogLevel } from "@notionhq/client";
import { mapNotionError, NOTION_VERSION } from "../../adapters/notion/notion-source.js";
import { accessTokenOf } from "../../core/binding-connection.js";
import { parseSecretRef } from "../../core/secret-ref.js";
import { NotionAuthError } from "../../shared/errors.js";
import { bindingLabel, type DoctorContext, reconnectCommand } from "./context.js";
import { type Check, type CheckResult, failed, passed, reasonOf, skipped } from "./run-checks.js";

const NAME = "notion token";

export function notionCheck(context: DoctorContext): Check {
  return {
    name: NAME,
    async run() {
      const bindings = await context.bindings();
      if (bindings.length === 0) return [skipped(NAME, "no Notion binding yet")];
      const results: CheckResult[] = [];
      // One binding after another: several bindings may share a token, and with it Notion's rate.
      for (const binding of bindings) {
        const check = `${NAME} (binding ${bindingLabel(binding)})`;
        if (binding.disabled) {
          results.push(skipped(check, "the binding is disabled"));
          continue;
        }
        if (binding.disconnected) {
          // Its syncs fail fast without asking Notion: nothing to ask until it is reconnected.
          results.push(
            failed(
              check,
              `disconnected since ${binding.disconnected.at}: ${binding.disconnected.reason}`,
              `reconnect Notion: notion-index-sync connect --oauth --tenant ${binding.tenantId} (or ${reconnectCommand({ ...binding, connectedBy: "token" })} with a token)`,
            ),
          );
          continue;
        }
        let token: string;
        try {
          token = accessTokenOf(await context.readSecret(parseSecretRef(binding.tokenRef).secretId));
        } catch {
          results.push(skipped(check, "the token cannot be read: see the secrets check"));
          continue;
        }
        results.push(await askNotion(context, check, token, reconnectCommand(binding)));
      }
      return results;
    },
  };
}

async function askNotion(context: DoctorContext, check: string, token: string, reconnect: string) {
  const client = new Client({
    auth: token,
    notionVersion: NOTION_VERSION,
    baseUrl: context.env.NOTION_BASE_URL || undefined,
    timeoutMs: Math.max(1000, Math.floor(context.timeoutMs / 2)),
    logLevel: LogLevel.ERROR,
  });
  try {
    const me = await client.users.me({});
    const workspace = me.type === "bot" && "workspace_name" in me.bot ? me.bot.workspace_name : undefined;
    return passed(check, `Notion accepts the token${workspace ? ` (workspace ${workspace})` : ""}`);
  } catch (error) {
    const mapped = mapNotionError("users/me", error, token);
    if (mapped instanceof NotionAuthError) {
      return failed(
        check,
        "Notion refused the token (401)",
        `run ${reconnect} with the integration's current token in NOTION_TOKEN`,
      );
    }
    return failed(check, reasonOf(mapped), "check that Notion is reachable, then run doctor again");
  }
}
