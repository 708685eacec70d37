/**
 * One webhook URL per binding: `<base>/notion/{tenantId}/{workspaceId}/{pathSecret}`. The path names
 * the binding whose verification token must have signed the request, so an event can only ever
 * reach the documents of that binding's tenant; its last segment is the binding's unguessable path
 * secret (./path-secret.ts), without which a request is answered like one for no binding at all.
 * The ids follow the message id rule (lib/core/messages.ts).
 */
import { ID_PATTERN } from "../core/ids.js";
import { PATH_SECRET } from "./path-secret.js";

export interface BindingPath {
  tenantId: string;
  workspaceId: string;
}

export interface WebhookPath extends BindingPath {
  pathSecret: string;
}

export function webhookPath(path: WebhookPath): string {
  return `/notion/${encodeURIComponent(path.tenantId)}/${encodeURIComponent(path.workspaceId)}/${path.pathSecret}`;
}

/** The binding and secret a request path names, or undefined when it names none. */
export function parseWebhookPath(path: string): WebhookPath | undefined {
  const match = /^\/notion\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (!match) return undefined;
  let tenantId: string;
  let workspaceId: string;
  try {
    tenantId = decodeURIComponent(match[1] ?? "");
    workspaceId = decodeURIComponent(match[2] ?? "");
  } catch {
    return undefined;
  }
  const pathSecret = match[3] ?? "";
  if (!ID_PATTERN.test(tenantId) || !ID_PATTERN.test(workspaceId) || !PATH_SECRET.test(pathSecret))
    return undefined;
  return { tenantId, workspaceId, pathSecret };
}

/** A binding's full webhook URL from the endpoint's base URL (function URLs end in "/"). */
export function webhookUrlFor(baseUrl: string, path: WebhookPath): string {
  return `${baseUrl.replace(/\/+$/, "")}${webhookPath(path)}`;
}
