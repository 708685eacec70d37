/**
 * Per-tenant quotas (`tenant set`, docs/tenants.md): documents held, embedding tokens a UTC day, and
 * the share of each binding's Notion budget. Work past a quota stops with a reason the tenant can
 * read (a command's error, a document's or dataset's status) and a metric; nothing is dropped: what
 * was not done is done once there is room (the next sweep, the next day, a raised quota).
 */
import type { TenantQuotas, TenantSettings } from "../core/model.js";
import type { DocumentStore, UsageLedger } from "../core/ports.js";
import { PermanentError, QuotaExceededError } from "../shared/errors.js";
import { utcDay } from "../telemetry/usage.js";

/** Limits of the values `tenant set` accepts. */
export const QUOTA_LIMITS = {
  maxDocuments: { min: 1, max: 10_000_000 },
  embeddingTokensPerDay: { min: 1, max: 100_000_000_000 },
} as const;

/** The quotas with every value checked; a bad one is a PermanentError naming the option. */
export function validateQuotas(quotas: TenantQuotas): TenantQuotas {
  for (const name of ["maxDocuments", "embeddingTokensPerDay"] as const) {
    const value = quotas[name];
    const { min, max } = QUOTA_LIMITS[name];
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      throw new PermanentError(
        `${optionOf(name)} must be a whole number from ${min} to ${max}, or none; got ${value}`,
      );
    }
  }
  const share = quotas.notionBudgetShare;
  if (share !== undefined && !(share > 0 && share <= 1)) {
    throw new PermanentError(
      `--notion-budget-share must be more than 0 and at most 1, or none; got ${share}`,
    );
  }
  return quotas;
}

export function optionOf(name: keyof TenantQuotas): string {
  return `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** The tenant's quotas (none when it has no settings). */
export async function quotasOf(
  store: Pick<DocumentStore, "getTenant">,
  tenantId: string,
): Promise<TenantQuotas> {
  return (await store.getTenant(tenantId))?.quotas ?? {};
}

export interface DocumentRoom {
  /** Documents that may still be registered; Infinity without a quota. */
  room: number;
  quota?: number;
  holding?: number;
}

/** How many more documents the tenant may hold (counted only when it has a quota). */
export async function documentRoom(
  store: Pick<DocumentStore, "getTenant" | "countDocuments">,
  tenantId: string,
): Promise<DocumentRoom> {
  const { maxDocuments } = await quotasOf(store, tenantId);
  if (maxDocuments === undefined) return { room: Number.POSITIVE_INFINITY };
  const holding = await store.countDocuments({ tenantId });
  return { room: Math.max(0, maxDocuments - holding), quota: maxDocuments, holding };
}

export function documentQuotaMessage(tenantId: string, room: DocumentRoom, wanted: number): string {
  return `tenant ${tenantId} holds ${room.holding} documents and its quota is ${room.quota}: ${wanted} more would exceed it (raise it with \`tenant set ${tenantId} --max-documents N\`, or remove documents)`;
}

/** The embedding tokens a tenant's index runs recorded on one UTC day (the usage ledger). */
export async function tokensUsedOn(usage: UsageLedger, tenantId: string, day: string): Promise<number> {
  return (await usage.list(tenantId, day)).reduce((sum, entry) => sum + entry.counts.tokens, 0);
}

/** Refuses an index run when the tenant's embedding tokens of today (UTC) reached its quota. */
export async function checkEmbeddingQuota(
  ports: { store: Pick<DocumentStore, "getTenant">; usage?: UsageLedger },
  tenantId: string,
  now: Date,
): Promise<void> {
  if (ports.usage === undefined) return;
  const { embeddingTokensPerDay } = await quotasOf(ports.store, tenantId);
  if (embeddingTokensPerDay === undefined) return;
  const day = utcDay(now);
  const used = await tokensUsedOn(ports.usage, tenantId, day);
  if (used >= embeddingTokensPerDay) {
    throw new QuotaExceededError(
      `tenant ${tenantId} used ${used} of its ${embeddingTokensPerDay} embedding tokens for ${day} (UTC): indexing waits for the next day's sweep, or for \`tenant set ${tenantId} --embedding-tokens-per-day N\``,
      "embedding-tokens",
    );
  }
}

/** Settings with a change applied: `null` clears a quota. */
export function withQuotas(
  current: TenantSettings | undefined,
  tenantId: string,
  change: { [K in keyof TenantQuotas]?: TenantQuotas[K] | null },
  now: Date,
): TenantSettings {
  const quotas: TenantQuotas = { ...current?.quotas };
  for (const [name, value] of Object.entries(change) as [keyof TenantQuotas, number | null | undefined][]) {
    if (value === undefined) continue;
    if (value === null) delete quotas[name];
    else quotas[name] = value;
  }
  return { tenantId, quotas: validateQuotas(quotas), updatedAt: now.toISOString() };
}
