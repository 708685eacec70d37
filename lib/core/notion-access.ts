/**
 * Resolves a document's Notion source: its tenant's binding, then the token behind it.
 * Every failure here is one the user fixes by reconnecting Notion, so it is a NotionAuthError.
 */
import { NotionAuthError, PermanentError } from "../shared/errors.js";
import { accessTokenOf } from "./binding-connection.js";
import type { DataSourceBinding, Document } from "./model.js";
import type {
  BindingRef,
  DocumentStore,
  NotionAccess,
  NotionConnector,
  NotionSource,
  SecretStore,
} from "./ports.js";

export interface NotionAccessPorts {
  store: DocumentStore;
  secrets: SecretStore;
  notion: NotionConnector;
}

export async function openNotionFor(ports: NotionAccessPorts, document: Document): Promise<NotionSource> {
  return openNotionForBinding(ports, {
    tenantId: document.tenantId,
    workspaceId: document.dataSourceInfo.workspaceId,
  });
}

/** The binding's source, for work that is not about one document (a dataset's scope). */
export async function openNotionForBinding(
  ports: NotionAccessPorts,
  { tenantId, workspaceId }: BindingRef,
): Promise<NotionSource> {
  const binding = await ports.store.getBinding(tenantId, workspaceId);
  if (!binding || binding.disabled) {
    const state = binding ? "is disabled" : "is missing";
    throw new NotionAuthError(
      `the Notion binding for tenant ${tenantId}, workspace ${workspaceId} ${state}: reconnect Notion`,
    );
  }
  // Refused by Notion before: fail fast, without calling it, until a connect clears the mark.
  if (binding.disconnected) throw new NotionAuthError(binding.disconnected.reason);
  let token: string;
  try {
    const secret = await ports.secrets.getSecret(
      binding.tokenRef,
      binding.connectedAt === undefined ? undefined : { freshAfter: binding.connectedAt },
    );
    token = accessTokenOf(secret);
  } catch (error) {
    if (error instanceof PermanentError) {
      throw new NotionAuthError(
        `the Notion token for workspace ${workspaceId} cannot be read (${error.message}): reconnect Notion`,
      );
    }
    throw error;
  }
  // The tenant's `notionBudgetShare` quota (`tenant set`) narrows every one of its bindings' budgets.
  const share = (await ports.store.getTenant(tenantId))?.quotas.notionBudgetShare;
  return ports.notion.open(token, notionAccessOf(binding, share));
}

/** Each binding has its own budget: one tenant's backfill never spends another's. */
export function notionAccessOf(binding: DataSourceBinding, share?: number): NotionAccess {
  return {
    budgetKey: budgetKeyOf(binding),
    ...(binding.notionRate ? { rate: binding.notionRate } : {}),
    ...(share !== undefined && share < 1 ? { share } : {}),
  };
}

function budgetKeyOf({ tenantId, workspaceId }: BindingRef): string {
  return `notion#${tenantId}#${workspaceId}`;
}

/** The binding a budget key names (metrics and the usage ledger count per binding). */
export function bindingOfBudgetKey(budgetKey: string): BindingRef | undefined {
  const [kind, tenantId, workspaceId] = budgetKey.split("#");
  if (kind !== "notion" || !tenantId || !workspaceId) return undefined;
  return { tenantId, workspaceId };
}
