/**
 * The Notion stand-in's OAuth endpoints (public integrations), as Notion answers them:
 * - `GET /v1/oauth/authorize?client_id&response_type=code&owner=user&redirect_uri&state`: checks the
 *   client and the parameters, and that the redirect URI is one registered for the integration; there is no browser and no person, so consent is given at once (or
 *   refused, when a test said so) and the answer is a 302 to `redirect_uri?code=…&state=…` (or
 *   `?error=access_denied&state=…`);
 * - `POST /v1/oauth/token` with HTTP Basic (client id and secret) and
 *   `{grant_type: "authorization_code", code, redirect_uri}`: 401 `invalid_client` for a wrong
 *   client, 400 `invalid_grant` for a code that is unknown, used, expired (10 minutes) or issued for
 *   another client or redirect URI; else Notion's shape, with a fresh access token that the API
 *   accepts from then on (handed to `grant`) and a refresh token.
 * Tokens and codes are random and built at run time.
 */
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface NotionOAuthOptions {
  client: { id: string; secret: string };
  /** What a grant gives: the workspace's Notion id and name, and the bot's id. */
  grant: { workspaceId: string; workspaceName: string; botId: string };
  /** Makes the new access token reach the granted workspace. */
  accept(token: string): void;
}

export interface NotionOAuthControls {
  /**
   * Registers a redirect URI, as the integration's settings page in Notion does: the authorize page
   * refuses any other (the local stack registers its OAuth function's callback once it listens).
   */
  registerRedirectUri(uri: string): void;
  /** The next authorization is refused by the "user": `?error=access_denied`. */
  denyNext(): void;
  /** The next token request answers this: a status (5xx: Notion's failure) or `invalid_grant`. */
  failTokenNext(failure: number | "invalid_grant", count?: number): void;
  /** Access tokens issued so far (tests check none of them leaks). */
  issuedTokens(): string[];
  /** Codes issued so far. */
  issuedCodes(): string[];
  /** Requests to the token endpoint. */
  tokenRequests(): number;
}

const CODE_TTL_MS = 10 * 60_000;

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

export function createNotionOAuth(options: NotionOAuthOptions) {
  const codes = new Map<string, IssuedCode>();
  const redirectUris = new Set<string>();
  const tokens: string[] = [];
  let denyNext = false;
  const tokenFailures: (number | "invalid_grant")[] = [];
  let tokenRequests = 0;

  function authorize(url: URL, response: ServerResponse) {
    const clientId = url.searchParams.get("client_id");
    const redirectUri = url.searchParams.get("redirect_uri");
    const state = url.searchParams.get("state");
    if (clientId !== options.client.id)
      return sendError(response, 400, "invalid_client", "Unknown client_id.");
    if (url.searchParams.get("response_type") !== "code") {
      return sendError(response, 400, "unsupported_response_type", "response_type must be code.");
    }
    if (!redirectUri || !/^https?:\/\//.test(redirectUri)) {
      return sendError(response, 400, "invalid_request", "redirect_uri is required.");
    }
    if (!redirectUris.has(redirectUri)) {
      return sendError(
        response,
        400,
        "invalid_request",
        "redirect_uri is not registered for this integration.",
      );
    }
    const target = new URL(redirectUri);
    if (denyNext) {
      denyNext = false;
      target.searchParams.set("error", "access_denied");
    } else {
      const code = randomUUID();
      codes.set(code, { clientId, redirectUri, expiresAt: Date.now() + CODE_TTL_MS, used: false });
      target.searchParams.set("code", code);
    }
    if (state !== null) target.searchParams.set("state", state);
    response.writeHead(302, { location: target.toString(), "content-length": 0 });
    response.end();
  }

  function token(incoming: IncomingMessage, raw: string, response: ServerResponse) {
    tokenRequests += 1;
    const failure = tokenFailures.shift();
    if (typeof failure === "number") {
      return sendError(response, failure, "internal_server_error", "Injected fault.");
    }
    if (!basicMatches(incoming.headers.authorization, options.client)) {
      return sendError(response, 401, "invalid_client", "Client authentication failed.");
    }
    let body: { grant_type?: unknown; code?: unknown; redirect_uri?: unknown };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return sendError(response, 400, "invalid_request", "Body must be JSON.");
    }
    if (body.grant_type !== "authorization_code") {
      return sendError(response, 400, "unsupported_grant_type", "grant_type must be authorization_code.");
    }
    const issued = typeof body.code === "string" ? codes.get(body.code) : undefined;
    if (
      failure === "invalid_grant" ||
      issued === undefined ||
      issued.used ||
      issued.expiresAt < Date.now() ||
      issued.clientId !== options.client.id ||
      issued.redirectUri !== body.redirect_uri
    ) {
      if (issued) issued.used = true;
      return sendError(response, 400, "invalid_grant", "Invalid code.");
    }
    issued.used = true;
    // Shaped like Notion's own tokens, made at run time.
    const accessToken = `ntn_${randomBytes(24).toString("hex")}`;
    tokens.push(accessToken);
    options.accept(accessToken);
    sendJson(response, 200, {
      access_token: accessToken,
      token_type: "bearer",
      refresh_token: `nrt_${randomBytes(24).toString("hex")}`,
      bot_id: options.grant.botId,
      workspace_id: options.grant.workspaceId,
      workspace_name: options.grant.workspaceName,
      workspace_icon: null,
      owner: { type: "user", user: { object: "user", id: randomUUID() } },
      duplicated_template_id: null,
      request_id: randomUUID(),
    });
  }

  const controls: NotionOAuthControls = {
    registerRedirectUri: (uri) => {
      redirectUris.add(uri);
    },
    denyNext: () => {
      denyNext = true;
    },
    failTokenNext: (failure, count = 1) => {
      for (let i = 0; i < count; i++) tokenFailures.push(failure);
    },
    issuedTokens: () => [...tokens],
    issuedCodes: () => [...codes.keys()],
    tokenRequests: () => tokenRequests,
  };

  /** True when it answered the request (an OAuth path). */
  function handle(incoming: IncomingMessage, url: URL, raw: string, response: ServerResponse): boolean {
    const method = incoming.method ?? "GET";
    if (url.pathname === "/v1/oauth/authorize" && method === "GET") {
      authorize(url, response);
      return true;
    }
    if (url.pathname === "/v1/oauth/token" && method === "POST") {
      token(incoming, raw, response);
      return true;
    }
    return false;
  }

  return { handle, controls };
}

function basicMatches(header: string | undefined, client: { id: string; secret: string }): boolean {
  if (!header?.startsWith("Basic ")) return false;
  const given = Buffer.from(header.slice("Basic ".length), "base64");
  const expected = Buffer.from(`${client.id}:${client.secret}`, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(json),
  });
  response.end(json);
}

function sendError(response: ServerResponse, status: number, error: string, description: string): void {
  sendJson(response, status, { error, error_description: description, request_id: randomUUID() });
}
