/**
 * The OAuth function in the template (ADR 0016): a public function URL (browsers are redirected to
 * it; the function authenticates every request itself), a small reserved concurrency, and grants
 * that reach only its two secrets, the creation of token secrets under the stack's Notion prefix,
 * and single table items. Its outputs are the ones `connect --oauth` and the operator read.
 */
import { describe, expect, it } from "vitest";
import { OAUTH_TABLE_ACTIONS } from "../../infra/table-access.js";
import { loadOAuthConfig } from "../../lib/composition/oauth-config.js";
import { INFO_OUTPUTS } from "../../lib/shared/stack-outputs.js";
import {
  actionsOf,
  buildStack,
  functionInTemplate,
  getAtt,
  type Json,
  logicalId,
  props,
  resourcesOf,
} from "./template-helpers.js";

describe("oauth", () => {
  const { stack, config, template } = buildStack();
  const { fnId, statements, environment } = functionInTemplate(template, stack, stack.oauth.fn);
  const clientId = logicalId(stack, stack.secrets.oauthClient);
  const keyId = logicalId(stack, stack.secrets.oauthStateKey);

  it("has a function URL without AWS auth, pointing at the OAuth function", () => {
    template.hasResourceProperties("AWS::Lambda::Url", { AuthType: "NONE", TargetFunctionArn: getAtt(fnId) });
  });

  it("is small, quick and capped", () => {
    expect(props(template, fnId)).toMatchObject({
      Runtime: "nodejs22.x",
      MemorySize: 256,
      Timeout: 10,
      ReservedConcurrentExecutions: 2,
    });
  });

  it("creates its two secrets, the state key generated and the client a placeholder to fill", () => {
    expect(props(template, keyId)).toMatchObject({
      Name: config.oauth.stateKeySecretName,
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    expect(props(template, clientId)).toMatchObject({
      Name: config.oauth.clientSecretName,
      GenerateSecretString: { PasswordLength: 32, ExcludePunctuation: true },
    });
    expect(config.oauth.clientSecretName).toBe("notion-index-sync/NotionIndexSync/oauth-client");
  });

  it("gets the environment loadOAuthConfig reads", () => {
    expect(environment).toMatchObject({
      NOTION_TOKEN_SECRET_PREFIX: config.notionTokenSecretPrefix,
      OAUTH_CLIENT_SECRET_ID: { Ref: clientId },
      OAUTH_STATE_KEY_SECRET_ID: { Ref: keyId },
    });
    expect(environment).not.toHaveProperty("OAUTH_RETURN_URL");
    expect(environment).not.toHaveProperty("PINECONE_API_KEY_SECRET_NAME");
    const resolved = Object.fromEntries(
      Object.entries({
        ...environment,
        TABLE_NAME: "t",
        OAUTH_CLIENT_SECRET_ID: "c",
        OAUTH_STATE_KEY_SECRET_ID: "k",
      }),
    ) as NodeJS.ProcessEnv;
    expect(() => loadOAuthConfig(resolved)).not.toThrow();
    const custom = buildStack({ oauthReturnUrl: "https://app.example.com/notion" });
    const customFn = logicalId(custom.stack, custom.stack.oauth.fn.function);
    expect((props(custom.template, customFn).Environment as { Variables: Json }).Variables).toMatchObject({
      OAUTH_RETURN_URL: "https://app.example.com/notion",
    });
  });

  it("may read only its two secrets and create or put (never read) token secrets under the Notion prefix", () => {
    const secretStatements = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith("secretsmanager:")),
    );
    const reads = secretStatements.filter((statement) =>
      actionsOf(statement).includes("secretsmanager:GetSecretValue"),
    );
    expect(reads.flatMap(resourcesOf).sort()).toEqual([{ Ref: clientId }, { Ref: keyId }].sort());
    const writes = secretStatements.filter((statement) =>
      actionsOf(statement).includes("secretsmanager:CreateSecret"),
    );
    expect(writes).toHaveLength(1);
    expect(actionsOf(writes[0] as never).sort()).toEqual([
      "secretsmanager:CreateSecret",
      "secretsmanager:PutSecretValue",
    ]);
    expect(JSON.stringify(resourcesOf(writes[0] as never))).toContain(
      `:secret:${config.notionTokenSecretPrefix}*`,
    );
  });

  it("may touch single table items only (no query, scan or batch), of states, tenants and API keys only", () => {
    const table = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith("dynamodb:")),
    );
    expect(table.flatMap(actionsOf).sort()).toEqual([...OAUTH_TABLE_ACTIONS].sort());
    expect(table).toHaveLength(1);
    expect((table[0] as { Condition?: unknown }).Condition).toEqual({
      "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["OAUTH#*", "TENANT#*", "APIKEY#*"] },
    });
  });

  it("outputs its URL, the redirect URI to register with Notion, and its secrets' names", () => {
    for (const name of [
      "OAuthUrl",
      "OAuthRedirectUri",
      "NotionOAuthClientSecretName",
      "OAuthStateKeySecretName",
    ]) {
      expect(INFO_OUTPUTS).toContain(name);
      expect(template.toJSON().Outputs).toHaveProperty(name);
    }
    expect(template.toJSON().Outputs.NotionOAuthClientSecretName.Value).toBe(config.oauth.clientSecretName);
  });
});
