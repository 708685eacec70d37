/**
 * Notion's token endpoint: `POST /v1/oauth/token` with HTTP Basic (client id and secret) and
 * `{grant_type: "authorization_code", code, redirect_uri}`. Over `fetch` on the one retry policy
 * (5xx and 429 only, lib/rate-limit/retrying-fetch.ts). Every failure is an OAuthExchangeError
 * whose message is one line and never holds the code, the client secret or a token.
 */
import { safeOneLine } from "../core/safe-text.js";
import { PermanentError } from "../shared/errors.js";
import type { NotionGrant, TokenExchangeRequest } from "./ports.js";

export class OAuthExchangeError extends PermanentError {
  override name = "OAuthExchangeError";
}

export interface TokenExchangeOptions {
  /** `https://api.notion.com`, or the stand-in's URL. */
  baseUrl: string;
  /** Already on the retry policy. */
  fetch: typeof fetch;
  timeoutMs?: number;
}

export function createTokenExchange(options: TokenExchangeOptions) {
  const endpoint = new URL("/v1/oauth/token", options.baseUrl).toString();
  return async function exchange({ code, redirectUri, client }: TokenExchangeRequest): Promise<NotionGrant> {
    const secrets = [code, client.clientSecret];
    const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`, "utf8").toString("base64");
    let response: Response;
    try {
      response = await options.fetch(endpoint, {
        method: "POST",
        headers: { authorization: `Basic ${basic}`, "content-type": "application/json" },
        body: JSON.stringify({ grant_type: "authorization_code", code, redirect_uri: redirectUri }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new OAuthExchangeError(safeOneLine(`Notion's token endpoint did not answer: ${detail}`, secrets));
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: said below.
    }
    if (!response.ok) {
      const error = typeof body.error === "string" ? body.error : undefined;
      const description =
        typeof body.error_description === "string"
          ? body.error_description
          : typeof body.message === "string"
            ? body.message
            : "";
      const what = response.status >= 500 ? "failed" : "refused the code";
      throw new OAuthExchangeError(
        safeOneLine(
          `Notion's token endpoint ${what} (HTTP ${response.status}${error ? ` ${error}` : ""})${description ? `: ${description}` : ""}`,
          secrets,
        ),
      );
    }
    const accessToken = body.access_token;
    const workspaceId = body.workspace_id;
    const botId = body.bot_id;
    if (typeof accessToken !== "string" || accessToken === "" || typeof workspaceId !== "string") {
      throw new OAuthExchangeError(
        "Notion's token endpoint answered without an access token or workspace id",
      );
    }
    if (typeof botId !== "string")
      throw new OAuthExchangeError("Notion's token endpoint answered without a bot id");
    return {
      accessToken,
      ...(typeof body.refresh_token === "string" && body.refresh_token !== ""
        ? { refreshToken: body.refresh_token }
        : {}),
      botId,
      workspaceId,
      ...(typeof body.workspace_name === "string" ? { workspaceName: body.workspace_name } : {}),
    };
  };
}
