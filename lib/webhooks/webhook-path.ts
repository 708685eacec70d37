/**
 * One webhook URL per binding: `<base>/notion/{tenantId}/{workspaceId}`. The path names the binding
 * whose verification token must have signed the request, so an event can only ever reach the
 * documents of that binding's tenant. The ids follow the message id rule (lib/messages.ts).
 */
const ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface BindingPath {
  tenantId: string;
  workspaceId: string;
}

export function bindingPath(binding: BindingPath): string {
  return `/notion/${encodeURIComponent(binding.tenantId)}/${encodeURIComponent(binding.workspaceId)}`;
}

/** The binding a request path names, or undefined when it names none. */
export function parseBindingPath(path: string): BindingPath | undefined {
  const match = /^\/notion\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (!match) return undefined;
  let tenantId: string;
  let workspaceId: string;
  try {
    tenantId = decodeURIComponent(match[1] ?? "");
    workspaceId = decodeURIComponent(match[2] ?? "");
  } catch {
    return undefined;
  }
  return ID.test(tenantId) && ID.test(workspaceId) ? { tenantId, workspaceId } : undefined;
}

/** A binding's full webhook URL from the endpoint's base URL (function URLs end in "/"). */
export function webhookUrlFor(baseUrl: string, binding: BindingPath): string {
  return `${baseUrl.replace(/\/+$/, "")}${bindingPath(binding)}`;
}
