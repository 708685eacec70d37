/**
 * A binding's connection to Notion: the token its secret holds (plain, or the JSON an OAuth grant
 * with a refresh token stores), and the "disconnected" mark Notion's refusal of that token leaves
 * (ADR 0016). Nothing is deleted when a token is refused: the binding's syncs fail fast with
 * "reconnect Notion" until a connect (OAuth or `connect`) clears the mark.
 */
import { PermanentError } from "../shared/errors.js";
import type { BindingRef, DocumentStore, Log } from "./ports.js";

/** What every document of a disconnected binding shows (the words "reconnect Notion" matter). */
export function tokenRefusedMessage(workspaceId: string): string {
  return `Notion refused the token for workspace ${workspaceId}: reconnect Notion`;
}

/** What an OAuth grant stores when Notion gave a refresh token too; a plain token otherwise. */
export interface StoredOAuthToken {
  accessToken: string;
  refreshToken?: string;
}

/** The secret's value for a grant: the token itself, or JSON only when there is a refresh token. */
export function storedTokenValue(token: StoredOAuthToken): string {
  return token.refreshToken
    ? JSON.stringify({ accessToken: token.accessToken, refreshToken: token.refreshToken })
    : token.accessToken;
}

/** The access token in a secret's value: the value itself, or its `accessToken` when it is that JSON. */
export function accessTokenOf(secretValue: string): string {
  const value = secretValue.trim();
  if (!value.startsWith("{")) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new PermanentError("the token secret holds neither a token nor {accessToken} JSON");
  }
  const accessToken = (parsed as { accessToken?: unknown }).accessToken;
  if (typeof accessToken !== "string" || accessToken === "") {
    throw new PermanentError("the token secret's JSON has no accessToken");
  }
  return accessToken;
}

/**
 * Marks the binding disconnected after Notion refused its token, unless it was (re)connected after
 * `openedAt` (the refused request used an older token) or is already marked, missing or disabled.
 * The mark is one conditional write: a reconnect landing meanwhile is never undone. Idempotent: a
 * second refusal changes nothing. Logs when it marks.
 */
export async function markBindingDisconnected(
  ports: { store: Pick<DocumentStore, "getBinding" | "markDisconnected">; log: Log },
  ref: BindingRef,
  at: Date,
  openedAt: Date,
): Promise<boolean> {
  const binding = await ports.store.getBinding(ref.tenantId, ref.workspaceId);
  if (!binding || binding.disabled || binding.disconnected) return false;
  if (binding.connectedAt !== undefined && Date.parse(binding.connectedAt) > openedAt.getTime()) return false;
  const mark = { at: at.toISOString(), reason: tokenRefusedMessage(ref.workspaceId) };
  const marked = await ports.store.markDisconnected(ref, mark, binding.connectedAt);
  const { tenantId, workspaceId } = ref;
  if (marked)
    ports.log.warn("Notion refused the binding's token: binding marked disconnected", {
      tenantId,
      workspaceId,
    });
  return marked;
}
