/**
 * The usage ledger's entries (what `status --totals` adds up): an index run's figures go to its
 * dataset's day; the Notion requests of syncs, sweeps and webhooks go to their workspace's day
 * (a sweep's listing serves every dataset of the workspace, so no one dataset owns it).
 * A ledger that cannot be written loses a figure, never the run: failures are logged only.
 */
import type { RunCounts } from "../core/model.js";
import { bindingOfBudgetKey } from "../core/notion-access.js";
import type { Log, UsageCounts, UsageEntry, UsageLedger } from "../core/ports.js";
import { estimateRunCost } from "../cost/estimate.js";

export const NO_USAGE: UsageCounts = {
  notionRequests: 0,
  tokens: 0,
  embeddingRequests: 0,
  pineconeReadRequests: 0,
  pineconeWriteRequests: 0,
  cacheRequests: 0,
  runs: 0,
  estimatedUsd: 0,
};

/** `YYYY-MM-DD` in UTC: the ledger's day. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function usageOfRun(counts: RunCounts): UsageCounts {
  return {
    notionRequests: counts.notionRequests ?? 0,
    tokens: counts.tokens,
    embeddingRequests: counts.embeddingRequests ?? 0,
    pineconeReadRequests: counts.pineconeReadRequests ?? 0,
    pineconeWriteRequests: counts.pineconeWriteRequests ?? 0,
    cacheRequests: counts.cacheRequests ?? 0,
    runs: 1,
    estimatedUsd: estimateRunCost(counts).totalUsd,
  };
}

export function usageOfNotionRequests(requests: number): UsageCounts {
  return {
    ...NO_USAGE,
    notionRequests: requests,
    estimatedUsd: estimateRunCost({ notionRequests: requests }).totalUsd,
  };
}

export function addUsage(a: UsageCounts, b: UsageCounts): UsageCounts {
  return {
    notionRequests: a.notionRequests + b.notionRequests,
    tokens: a.tokens + b.tokens,
    embeddingRequests: a.embeddingRequests + b.embeddingRequests,
    pineconeReadRequests: a.pineconeReadRequests + b.pineconeReadRequests,
    pineconeWriteRequests: a.pineconeWriteRequests + b.pineconeWriteRequests,
    cacheRequests: a.cacheRequests + b.cacheRequests,
    runs: a.runs + b.runs,
    estimatedUsd: a.estimatedUsd + b.estimatedUsd,
  };
}

/** Adds entries, logging (not throwing) what could not be written. */
export async function recordUsage(ledger: UsageLedger, entries: UsageEntry[], log: Log): Promise<void> {
  await Promise.all(
    entries.map(async (entry) => {
      try {
        await ledger.add(entry);
      } catch (error) {
        log.warn("usage not recorded", {
          tenantId: entry.tenantId,
          day: entry.day,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }),
  );
}

/**
 * The Notion requests a sync or webhook invocation made, per budget key `notion#{tenant}#{workspace}`
 * (lib/core/notion-access.ts), as entries of their workspaces.
 */
export function workspaceUsageEntries(requestsByBudgetKey: Map<string, number>, now: Date): UsageEntry[] {
  const entries: UsageEntry[] = [];
  for (const [budgetKey, requests] of requestsByBudgetKey) {
    const binding = bindingOfBudgetKey(budgetKey);
    if (binding === undefined || requests === 0) continue;
    entries.push({
      tenantId: binding.tenantId,
      day: utcDay(now),
      subject: { kind: "workspace", workspaceId: binding.workspaceId },
      counts: usageOfNotionRequests(requests),
    });
  }
  return entries;
}
