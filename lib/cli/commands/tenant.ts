/**
 * `tenant set [tenantId]` and `tenant show [tenantId]`: a tenant's quotas (docs/tenants.md) — most
 * documents held, embedding tokens a UTC day, the share of each binding's Notion budget — and how
 * much of each it uses now. `none` clears a quota.
 */
import { checkTenantId } from "../../core/ids.js";
import type { TenantQuotas } from "../../core/model.js";
import { PermanentError } from "../../shared/errors.js";
import { utcDay } from "../../telemetry/usage.js";
import { optionOf, tokensUsedOn, withQuotas } from "../../tenants/quotas.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";

export interface TenantSetOptions {
  maxDocuments?: string;
  embeddingTokensPerDay?: string;
  notionBudgetShare?: string;
  json?: boolean;
}

export async function tenantSetCommand(
  connection: Connection,
  tenantId: string | undefined,
  options: TenantSetOptions,
): Promise<void> {
  const tenant = tenantId ?? connection.defaults.tenantId;
  checkTenantId(tenant);
  const change = {
    maxDocuments: quotaValue("maxDocuments", options.maxDocuments),
    embeddingTokensPerDay: quotaValue("embeddingTokensPerDay", options.embeddingTokensPerDay),
    notionBudgetShare: quotaValue("notionBudgetShare", options.notionBudgetShare),
  };
  if (Object.values(change).every((value) => value === undefined)) {
    throw new PermanentError(
      "nothing to set: give --max-documents, --embedding-tokens-per-day or --notion-budget-share (a number, or none)",
    );
  }
  const { store } = connection.adapters;
  const settings = withQuotas(await store.getTenant(tenant), tenant, change, new Date());
  await store.saveTenant(settings);
  if (options.json) printJson(settings);
  else printLine(`tenant ${tenant}: ${describeQuotas(settings.quotas)}`);
}

export async function tenantShowCommand(
  connection: Connection,
  tenantId: string | undefined,
  options: { json?: boolean },
): Promise<void> {
  const tenant = tenantId ?? connection.defaults.tenantId;
  const { store, usage } = connection.adapters;
  const quotas = (await store.getTenant(tenant))?.quotas ?? {};
  const day = utcDay(new Date());
  const documents = await store.countDocuments({ tenantId: tenant });
  const tokensToday = await tokensUsedOn(usage, tenant, day);
  if (options.json) {
    printJson({
      tenantId: tenant,
      quotas,
      usage: { documents, embeddingTokens: { day, tokens: tokensToday } },
    });
    return;
  }
  printLine(`tenant ${tenant}: ${describeQuotas(quotas)}`);
  const of = (limit: number | undefined) =>
    limit === undefined ? "" : ` of ${limit.toLocaleString("en-US")}`;
  printLine(`  documents: ${documents.toLocaleString("en-US")}${of(quotas.maxDocuments)}`);
  printLine(
    `  embedding tokens on ${day} (UTC): ${tokensToday.toLocaleString("en-US")}${of(quotas.embeddingTokensPerDay)}`,
  );
}

/** A quota option's value: a number, `none` (clear it), or absent (leave it). */
function quotaValue(name: keyof TenantQuotas, text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text.trim().toLowerCase() === "none") return null;
  const value = Number(text.replace(/_/g, ""));
  if (text.trim() === "" || !Number.isFinite(value)) {
    throw new PermanentError(`${optionOf(name)} must be a number or none; got "${text}"`);
  }
  return value;
}

export function describeQuotas(quotas: TenantQuotas): string {
  const parts = [
    quotas.maxDocuments === undefined
      ? undefined
      : `at most ${quotas.maxDocuments.toLocaleString("en-US")} documents`,
    quotas.embeddingTokensPerDay === undefined
      ? undefined
      : `${quotas.embeddingTokensPerDay.toLocaleString("en-US")} embedding tokens a day`,
    quotas.notionBudgetShare === undefined
      ? undefined
      : `${Math.round(quotas.notionBudgetShare * 100)}% of each binding's Notion budget`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? "no quotas" : parts.join(", ");
}
