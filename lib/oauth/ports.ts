/**
 * What the OAuth function's domain code (lib/oauth/handle-request.ts) needs, passed in as one object:
 * no AWS here (the adapters are in lib/adapters/aws and functions/oauth/adapters.ts).
 */
import type { Clock, DocumentStore, Log } from "../core/ports.js";
import type { OAuthState } from "./signing.js";

/** The single-use items of issued states, in the table (`OAUTH#{nonce}`, expiring by TTL). */
export interface OAuthStateStore {
  create(state: OAuthState, createdAt: string): Promise<void>;
  /** Deletes the nonce's item and returns what it held; undefined when there was none (a replay). */
  consume(nonce: string): Promise<{ tenantId: string; expiresAt: number } | undefined>;
}

/** The public integration's client id and secret (a Secrets Manager secret the operator fills). */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface OAuthSecrets {
  /** The HMAC key of states and start links (a secret the stack generates). */
  stateKey(): Promise<string>;
  /** Throws PermanentError, naming the secret, when it is not filled in yet. */
  client(): Promise<OAuthClient>;
}

/** Stores a grant's token in a secret under the stack's Notion token prefix; returns its reference. */
export interface OAuthTokenSaver {
  saveToken(tenantId: string, workspaceId: string, value: string): Promise<string>;
}

/** What Notion's token endpoint answers (the fields this project uses). */
export interface NotionGrant {
  accessToken: string;
  refreshToken?: string;
  botId: string;
  workspaceId: string;
  workspaceName?: string;
}

export interface TokenExchangeRequest {
  code: string;
  redirectUri: string;
  client: OAuthClient;
}

export interface OAuthPorts {
  states: OAuthStateStore;
  secrets: OAuthSecrets;
  tokens: OAuthTokenSaver;
  store: Pick<DocumentStore, "getBinding" | "putBinding">;
  /** The tenant a retrieval API key (`Authorization: Bearer …`) belongs to; throws ApiError otherwise. */
  authenticate(
    authorization: string,
  ): Promise<{ tenantId: string; datasetIds?: string[]; mayConnectNotion?: boolean }>;
  /** Notion's token endpoint; throws OAuthExchangeError with a one-line reason. */
  exchange(request: TokenExchangeRequest): Promise<NotionGrant>;
  clock: Clock;
  log: Log;
}
