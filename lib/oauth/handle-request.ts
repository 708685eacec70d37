/**
 * The OAuth function's work for one HTTP request (Notion public integrations, ADR 0016):
 *
 * `GET /oauth/start?tenant=T` — who may attach a workspace to tenant T: a caller with a retrieval
 * API key of T (`Authorization: Bearer …`; a product backend reads the 302's Location without
 * following it), or a browser with a start link signed by `connect --oauth` (`&expires=…&sig=…`).
 * Anything else is 401 or 403. Then a single-use state (tenant, nonce, expiry; HMAC-signed) is
 * stored and the caller is sent to Notion's authorize URL with it.
 *
 * `GET /oauth/callback?code=…&state=…` (or `?error=access_denied&state=…`) — the state's signature,
 * expiry and single use (a conditional delete of its item) are checked, and the stored tenant must be
 * the state's, before anything else: a refusal is 400 with a one-line reason and never calls Notion.
 * Then the code is exchanged, the token stored in a secret under the binding prefix and the binding
 * created or updated (its webhook and followers kept; `disconnected` cleared).
 *
 * Never logged or shown: the code, the client secret, tokens, the state key.
 */

import { storedTokenValue } from "../core/binding-connection.js";
import { ID_PATTERN, TENANT_ID_PATTERN } from "../core/ids.js";
import { safeOneLine } from "../core/safe-text.js";
import type { HttpRequest, HttpResponse } from "../http/function-url-event.js";
import { ApiError } from "../retrieval/api-error.js";
import { PermanentError } from "../shared/errors.js";
import type { NotionGrant, OAuthPorts } from "./ports.js";
import { newNonce, signState, verifyStartLink, verifyState } from "./signing.js";
import { OAuthExchangeError } from "./token-exchange.js";

export interface OAuthOptions {
  /** Where Notion's authorize page is: `https://api.notion.com`, or the stand-in's URL. */
  authorizeBaseUrl: string;
  /** How long a state is good for (default 600 s). */
  stateTtlSeconds: number;
  /** After the callback, 302 here with `?status=…` instead of a short page. */
  returnUrl?: string;
}

/** A failure the handler did not answer itself. */
export const OAUTH_FAILURE = {
  message: "oauth request failed",
  body: { error: "internal error" },
};

export const CALLBACK_PATH = "/oauth/callback";

const json = (
  status: number,
  body: Record<string, unknown>,
  headers?: Record<string, string>,
): HttpResponse => ({
  status,
  body,
  headers: { "cache-control": "no-store", ...headers },
});
const refuse = (status: number, reason: string) => json(status, { error: reason });

/** `<scheme>://<host>/oauth/callback` of this function: the authorize request and the exchange use it alike. */
export function redirectUriOf(request: HttpRequest): string | undefined {
  const host = request.headers.host;
  if (!host || !/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) return undefined;
  const scheme = request.headers["x-forwarded-proto"] === "http" ? "http" : "https";
  return `${scheme}://${host}${CALLBACK_PATH}`;
}

export function createOAuthRequestHandler(ports: OAuthPorts, options: OAuthOptions) {
  return async function handleOAuthRequest(request: HttpRequest): Promise<HttpResponse> {
    if (request.method.toUpperCase() !== "GET") return refuse(405, "only GET is accepted");
    const params = new URLSearchParams(request.query ?? "");
    const path = request.path.replace(/\/+$/, "");
    if (path === "/oauth/start") return start(ports, options, request, params);
    if (path === CALLBACK_PATH) return callback(ports, options, request, params);
    return refuse(404, "no such path: GET /oauth/start or /oauth/callback");
  };
}

async function start(
  ports: OAuthPorts,
  options: OAuthOptions,
  request: HttpRequest,
  params: URLSearchParams,
): Promise<HttpResponse> {
  const tenantId = params.get("tenant");
  if (!tenantId || !TENANT_ID_PATTERN.test(tenantId))
    return refuse(400, "tenant=<id> is required (1-128 letters, digits and . _ : -)");
  const now = ports.clock.now();
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization.trim() !== "") {
    let key: Awaited<ReturnType<OAuthPorts["authenticate"]>>;
    try {
      key = await ports.authenticate(authorization);
    } catch (error) {
      if (error instanceof ApiError) return refuse(401, error.message);
      throw error;
    }
    if (key.tenantId !== tenantId) return refuse(403, "the API key belongs to another tenant");
    if (key.datasetIds !== undefined) {
      return refuse(
        403,
        "the API key is limited to some datasets: only a tenant-wide key may connect Notion",
      );
    }
    if (key.mayConnectNotion !== true) {
      return refuse(
        403,
        `the API key may query but not connect Notion: make one that may with \`apikey create --tenant ${tenantId} --connect-notion\``,
      );
    }
  } else if (params.has("sig")) {
    const link = verifyStartLink(
      { tenant: tenantId, expires: params.get("expires"), sig: params.get("sig") },
      await ports.secrets.stateKey(),
      now,
    );
    if (!link.ok) return refuse(403, link.reason);
  } else {
    return refuse(
      401,
      "not authorized: send Authorization: Bearer <a retrieval API key of the tenant>, or open a start link printed by `notion-index-sync connect --oauth`",
    );
  }

  const redirectUri = redirectUriOf(request);
  if (!redirectUri) return refuse(400, "the request has no usable Host header");
  let clientId: string;
  try {
    ({ clientId } = await ports.secrets.client());
  } catch (error) {
    if (error instanceof PermanentError) return refuse(503, safeOneLine(error.message));
    throw error;
  }
  const state = {
    tenantId,
    nonce: newNonce(),
    expiresAt: Math.floor(now.getTime() / 1000) + options.stateTtlSeconds,
  };
  await ports.states.create(state, now.toISOString());
  const authorize = new URL("/v1/oauth/authorize", options.authorizeBaseUrl);
  authorize.searchParams.set("client_id", clientId);
  authorize.searchParams.set("response_type", "code");
  authorize.searchParams.set("owner", "user");
  authorize.searchParams.set("redirect_uri", redirectUri);
  authorize.searchParams.set("state", signState(state, await ports.secrets.stateKey()));
  ports.log.info("oauth: flow started", { tenantId, via: authorization ? "api-key" : "start-link" });
  const location = authorize.toString();
  return json(302, { authorizeUrl: location }, { location });
}

async function callback(
  ports: OAuthPorts,
  options: OAuthOptions,
  request: HttpRequest,
  params: URLSearchParams,
): Promise<HttpResponse> {
  const text = params.get("state");
  if (!text) return refuse(400, "state is missing");
  const now = ports.clock.now();
  const verified = verifyState(text, await ports.secrets.stateKey(), now);
  if (!verified.ok) return refuse(400, verified.reason);
  const state = verified.value;
  // Single use: whoever presents the state first consumes it; a replay finds nothing.
  const stored = await ports.states.consume(state.nonce);
  if (!stored) return refuse(400, "the state was used before or is unknown: start again");
  if (stored.tenantId !== state.tenantId) return refuse(400, "the state belongs to another tenant");
  const { tenantId } = state;

  const error = params.get("error");
  if (error !== null) {
    if (error === "access_denied") {
      ports.log.info("oauth: consent denied in Notion", { tenantId });
      return finish(
        options,
        403,
        { status: "denied", tenantId },
        "Notion access was denied: nothing was connected.",
      );
    }
    const reason = safeOneLine(
      `Notion answered ${error}${params.get("error_description") ? `: ${params.get("error_description")}` : ""}`,
    );
    ports.log.warn("oauth: Notion answered an error", { tenantId, reason });
    return finish(
      options,
      400,
      { status: "error", tenantId, reason },
      `Notion was not connected: ${reason}.`,
    );
  }
  const code = params.get("code");
  if (!code) return refuse(400, "code is missing");
  const redirectUri = redirectUriOf(request);
  if (!redirectUri) return refuse(400, "the request has no usable Host header");

  let grant: NotionGrant;
  try {
    grant = await ports.exchange({ code, redirectUri, client: await ports.secrets.client() });
  } catch (failure) {
    if (!(failure instanceof OAuthExchangeError) && !(failure instanceof PermanentError)) throw failure;
    const reason = safeOneLine(failure.message, [code]);
    ports.log.warn("oauth: token exchange failed", { tenantId, reason });
    return finish(
      options,
      502,
      { status: "error", tenantId, reason },
      `Notion was not connected: ${reason}.`,
    );
  }
  if (!ID_PATTERN.test(grant.workspaceId)) {
    const reason = "Notion's workspace id is not usable as an id";
    return finish(
      options,
      502,
      { status: "error", tenantId, reason },
      `Notion was not connected: ${reason}.`,
    );
  }

  const workspaceId = grant.workspaceId;
  const tokenRef = await ports.tokens.saveToken(tenantId, workspaceId, storedTokenValue(grant));
  const existing = await ports.store.getBinding(tenantId, workspaceId);
  await ports.store.putBinding({
    // A reconnect keeps the binding's webhook (its URL and token reset), its followers and its rate.
    ...existing,
    tenantId,
    provider: "notion",
    workspaceId,
    tokenRef,
    disabled: false,
    ...(grant.workspaceName === undefined ? {} : { workspaceName: grant.workspaceName }),
    botId: grant.botId,
    connectedBy: "oauth",
    connectedAt: now.toISOString(),
    disconnected: undefined,
  });
  ports.log.info("oauth: Notion connected", {
    tenantId,
    workspaceId,
    workspaceName: grant.workspaceName,
    botId: grant.botId,
    reconnected: existing !== undefined,
  });
  const name = grant.workspaceName ? `${grant.workspaceName} (${workspaceId})` : workspaceId;
  return finish(
    options,
    200,
    { status: "connected", tenantId, workspace: workspaceId },
    `Notion workspace ${name} is connected to ${tenantId}. You can close this page.`,
  );
}

/** To the return URL with the outcome, or a short page saying it. */
function finish(
  options: OAuthOptions,
  status: number,
  outcome: Record<string, string>,
  sentence: string,
): HttpResponse {
  if (options.returnUrl) {
    const url = new URL(options.returnUrl);
    for (const [name, value] of Object.entries(outcome)) {
      url.searchParams.set(name === "tenantId" ? "tenant" : name, value);
    }
    return json(302, outcome, { location: url.toString() });
  }
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>notion-index-sync</title></head><body><p>${escapeHtml(sentence)}</p></body></html>`;
  return {
    status,
    body: outcome,
    rawBody: page,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
