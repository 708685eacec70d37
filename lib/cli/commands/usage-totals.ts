/**
 * `status --totals`: what each tenant's work cost today and this month (UTC), per dataset (its
 * index runs) and per workspace (the Notion requests of syncs and sweeps, which serve every dataset
 * of the workspace), from the usage ledger the functions add to.
 */
import type { UsageCounts, UsageEntry } from "../../core/ports.js";
import { formatUsd } from "../../cost/estimate.js";
import { PRICES_TAKEN_ON } from "../../shared/prices.js";
import { addUsage, NO_USAGE, utcDay } from "../../telemetry/usage.js";
import type { Connection } from "../connect.js";
import { printJson, printLine } from "../output.js";
import { type Column, formatTable, terminalWidth } from "../table.js";

export interface UsageTotalsOptions {
  tenant?: string;
  json?: boolean;
}

interface Period {
  /** `YYYY-MM-DD` or `YYYY-MM`. */
  period: string;
  subjects: ({ subject: string } & UsageCounts)[];
  total: UsageCounts;
}

export async function usageTotalsCommand(connection: Connection, options: UsageTotalsOptions): Promise<void> {
  const { store, usage } = connection.adapters;
  const tenants =
    options.tenant !== undefined
      ? [options.tenant]
      : [
          ...new Set([connection.defaults.tenantId, ...(await store.listDatasets()).map((d) => d.tenantId)]),
        ].sort();
  const today = utcDay(new Date());
  const month = today.slice(0, 7);
  const views = await Promise.all(
    tenants.map(async (tenantId) => {
      // One query a tenant: the month holds the day.
      const entries = await usage.list(tenantId, month);
      return {
        tenantId,
        day: periodOf(
          today,
          entries.filter((entry) => entry.day === today),
        ),
        month: periodOf(month, entries),
      };
    }),
  );
  if (options.json) {
    printJson({ usage: views, pricesTakenOn: PRICES_TAKEN_ON });
    return;
  }
  printLine(
    `usage today (${today}) and this month (${month}), UTC; estimated at prices of ${PRICES_TAKEN_ON}`,
  );
  printLine();
  const rows = views.flatMap((view) => {
    const subjects = [...new Set(view.month.subjects.map((row) => row.subject))];
    const find = (period: Period, subject: string) => period.subjects.find((row) => row.subject === subject);
    return [
      ...subjects.map((subject) => ({
        tenant: view.tenantId,
        subject,
        day: find(view.day, subject) ?? { ...NO_USAGE },
        month: find(view.month, subject) ?? { ...NO_USAGE },
      })),
      { tenant: view.tenantId, subject: "total", day: view.day.total, month: view.month.total },
    ];
  });
  const count = (value: number) => value.toLocaleString("en-US");
  const columns: Column[] = [
    { header: "tenant", cells: rows.map((row) => row.tenant) },
    { header: "charged to", cells: rows.map((row) => row.subject) },
    {
      header: "runs (month)",
      cells: rows.map((row) => count(row.month.runs)),
      align: "right",
      dropPriority: 2,
    },
    {
      header: "Notion req. (month)",
      cells: rows.map((row) => count(row.month.notionRequests)),
      align: "right",
      dropPriority: 3,
    },
    {
      header: "tokens (month)",
      cells: rows.map((row) => count(row.month.tokens)),
      align: "right",
      dropPriority: 1,
    },
    { header: "today", cells: rows.map((row) => formatUsd(row.day.estimatedUsd)), align: "right" },
    { header: "this month", cells: rows.map((row) => formatUsd(row.month.estimatedUsd)), align: "right" },
  ];
  for (const line of formatTable(columns, terminalWidth())) printLine(line);
  if (rows.every((row) => row.month.runs === 0 && row.month.notionRequests === 0)) {
    printLine();
    printLine("nothing recorded this month yet: usage is added by each index run and each sync or sweep");
  }
}

function periodOf(period: string, entries: UsageEntry[]): Period {
  const bySubject = new Map<string, UsageCounts>();
  for (const entry of entries) {
    const subject =
      entry.subject.kind === "dataset"
        ? `dataset ${entry.subject.datasetId}`
        : `workspace ${entry.subject.workspaceId}`;
    bySubject.set(subject, addUsage(bySubject.get(subject) ?? NO_USAGE, entry.counts));
  }
  const subjects = [...bySubject]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([subject, counts]) => ({ subject, ...counts }));
  return {
    period,
    subjects,
    total: subjects.reduce<UsageCounts>((total, row) => addUsage(total, row), NO_USAGE),
  };
}
