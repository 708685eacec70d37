/**
 * Counts what the Notion connector does, per binding: requests, Notion's 429s, time waited for
 * the shared budget, and refused tokens (401). Each figure goes to the metrics with the binding
 * as a property (not a dimension); the request counts are also kept per binding until taken, for
 * the usage ledger (what a day of syncs, sweeps and webhooks cost: lib/telemetry/usage.ts).
 */
import { bindingOfBudgetKey } from "../core/notion-access.js";
import type { MetricsSink } from "../core/ports.js";

/** What the connector tells about each answered request (lib/adapters/notion/notion-source.ts). */
export interface NotionRequestObserver {
  answered(budgetKey: string, answer: { status: number; waitedMs: number; fromBudget: boolean }): void;
}

export interface NotionMeter extends NotionRequestObserver {
  /** Requests per budget key since the last call, then forgotten. */
  takeRequests(): Map<string, number>;
}

export function createNotionMeter(metrics: MetricsSink): NotionMeter {
  let requests = new Map<string, number>();
  return {
    answered(budgetKey, { status, waitedMs, fromBudget }) {
      const ref = bindingOfBudgetKey(budgetKey);
      const binding = { binding: ref ? `${ref.tenantId}/${ref.workspaceId}` : budgetKey };
      if (waitedMs > 0) metrics.record("notionBudgetWait", waitedMs, {}, binding);
      // The budget's own refusal never reached Notion: a wait, not a request.
      if (fromBudget) return;
      requests.set(budgetKey, (requests.get(budgetKey) ?? 0) + 1);
      metrics.record("notionRequests", 1, {}, binding);
      if (status === 429) metrics.record("notionThrottled", 1, {}, binding);
      if (status === 401) metrics.record("notionTokenRefused", 1, {}, binding);
    },
    takeRequests() {
      const taken = requests;
      requests = new Map();
      return taken;
    },
  };
}
