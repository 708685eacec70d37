import * as z from "zod/mini";
import { configSchema, nonEmpty, optionalUrl, url, validated, wholeNumber } from "./config.js";

const shared = configSchema.shape;

/**
 * The OAuth function's configuration (Notion public integrations, ADR 0016): the table (states,
 * bindings, API keys), its two secrets, where grants' tokens go and where Notion is.
 */
const oauthConfigSchema = z.object({
  TABLE_NAME: shared.TABLE_NAME,
  AWS_REGION: shared.AWS_REGION,
  DYNAMODB_ENDPOINT: shared.DYNAMODB_ENDPOINT,
  SECRETS_MANAGER_ENDPOINT: shared.SECRETS_MANAGER_ENDPOINT,
  /** Notion's API (the token endpoint); also its authorize page unless NOTION_AUTHORIZE_BASE_URL. */
  NOTION_BASE_URL: z._default(url, "https://api.notion.com"),
  NOTION_AUTHORIZE_BASE_URL: optionalUrl,
  /** Grants' tokens go in a secret `<prefix><tenant>/<workspace>`, like `connect`'s. */
  NOTION_TOKEN_SECRET_PREFIX: z
    .string()
    .check(z.regex(/^[A-Za-z0-9/_+=.@-]{1,400}\/$/, 'must be a secret name prefix ending in "/"')),
  /** `{"clientId","clientSecret"}` of the public integration (a name or ARN). */
  OAUTH_CLIENT_SECRET_ID: nonEmpty,
  /** The HMAC key of states and start links (a name or ARN). */
  OAUTH_STATE_KEY_SECRET_ID: nonEmpty,
  OAUTH_STATE_TTL_SECONDS: z._default(wholeNumber(60, 3600), 600),
  /** After the callback, 302 here with `?status=…`; unset: a short page. */
  OAUTH_RETURN_URL: optionalUrl,
});

export type OAuthConfig = z.infer<typeof oauthConfigSchema>;

export function loadOAuthConfig(env: NodeJS.ProcessEnv = process.env): OAuthConfig {
  return validated(oauthConfigSchema, env, "invalid oauth configuration");
}
