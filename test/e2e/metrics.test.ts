/**
 * The functions' metrics, read the way CloudWatch reads them: EMF records in what the sync and index
 * functions print on a local run (the real handler modules, in their execution environments).
 * Also the usage ledger that the same run fills (`status --totals`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecretsManagerClient } from "../../lib/adapters/aws/secrets-manager-client.js";
import { usageTotalsCommand } from "../../lib/cli/commands/usage-totals.js";
import { systemClock } from "../../lib/core/clock.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { LOCAL_MODEL } from "../../lib/embedding/local-embedder.js";
import { METRICS, metricsNamespace } from "../../lib/shared/metrics.js";
import { DEMO_PAGES } from "../../local/demo-workspace.js";
import { type LocalStack, startLocalStack } from "../../local/stack.js";
import { printedBy } from "../support/cli-in-process.js";

interface EmfRecord {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [field: string]: unknown;
}

let stack: LocalStack;
let stateDir: string;
const output: { fn: string; line: string }[] = [];
// Shaped like a Notion token, built at run time so that no credential-shaped literal is committed.
const REVOKED_TOKEN = `secret_${"revoked".repeat(5)}0000`;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "nis-metrics-"));
  stack = await startLocalStack({
    stateDir,
    persist: false,
    sweepIntervalSeconds: 0,
    webhooks: false,
    query: false,
    logLevel: "SILENT",
    onFunctionOutput: (fn, line) => output.push({ fn, line }),
  });
  const ports = { ...stack.adapters, clock: systemClock };
  const page = DEMO_PAGES.handbook.id;
  await registerDocuments(ports, {
    tenantId: "default",
    datasetId: "metrics",
    workspaceId: "default",
    pageIds: [page],
    embeddingModel: LOCAL_MODEL,
  });
  // A second tenant whose token Notion refuses: its document ends in `error`.
  const secrets = createSecretsManagerClient({
    region: "us-east-1",
    endpoint: stack.info.secretsManagerEndpoint,
  });
  await secrets.send(new CreateSecretCommand({ Name: "metrics-test/revoked", SecretString: REVOKED_TOKEN }));
  await stack.adapters.store.putBinding({
    tenantId: "revoked",
    provider: "notion",
    workspaceId: "ws-revoked",
    tokenRef: "secretsmanager:metrics-test/revoked",
    disabled: false,
  });
  const [revoked] = await registerDocuments(ports, {
    tenantId: "revoked",
    datasetId: "revoked-docs",
    workspaceId: "ws-revoked",
    pageIds: [page],
    embeddingModel: LOCAL_MODEL,
  });
  await stack.waitForIdle({ timeoutMs: 60_000 });
  // Its next sync fails again (fast: the binding is disconnected): a sync, but no document newly in error.
  await stack.adapters.syncQueue.send({
    tenantId: "revoked",
    datasetId: "revoked-docs",
    documentId: revoked?.documentId,
  });
  await stack.waitForIdle({ timeoutMs: 60_000 });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

function emfRecords(): (EmfRecord & { fn: string })[] {
  return output.flatMap(({ fn, line }) => {
    if (!line.startsWith("{")) return [];
    const record = JSON.parse(line) as EmfRecord;
    return record._aws ? [{ ...record, fn }] : [];
  });
}

/** Every value of a metric, from records whose dimensions are exactly `dimensions`. */
function valuesOf(metric: string, dimensions: string[], where: Record<string, string> = {}): number[] {
  return emfRecords().flatMap((record) => {
    const definition = record._aws.CloudWatchMetrics[0];
    if (!definition?.Metrics.some((m) => m.Name === metric)) return [];
    if (!definition.Dimensions.some((set) => set.join() === dimensions.join())) return [];
    if (Object.entries(where).some(([key, value]) => record[key] !== value)) return [];
    const value = record[metric];
    return Array.isArray(value) ? (value as number[]) : [value as number];
  });
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe("metrics (EMF) from a local run", () => {
  it("are EMF records in one namespace, with only the low-cardinality dimensions", () => {
    const records = emfRecords();
    expect(records.length).toBeGreaterThan(0);
    const allowed = new Set(["service", "function", "outcome", "provider", "reason"]);
    const known = new Map<string, string>(Object.values(METRICS).map(({ name, unit }) => [name, unit]));
    for (const record of records) {
      const [definition] = record._aws.CloudWatchMetrics;
      expect(definition?.Namespace).toBe(metricsNamespace("local"));
      for (const set of definition?.Dimensions ?? []) for (const name of set) expect(allowed).toContain(name);
      for (const metric of definition?.Metrics ?? []) expect(known.get(metric.Name)).toBe(metric.Unit);
      expect(["sync", "index"]).toContain(record.function);
    }
  });

  it("count syncs and index runs by outcome, and their totals", () => {
    expect(sum(valuesOf("DocumentsSynced", ["service", "function", "outcome"], { outcome: "queued" }))).toBe(
      1,
    );
    expect(sum(valuesOf("DocumentsSynced", ["service", "function"]))).toBe(3);
    expect(sum(valuesOf("DocumentsSynced", ["service", "function", "outcome"], { outcome: "error" }))).toBe(
      2,
    );
    expect(
      sum(valuesOf("DocumentsIndexed", ["service", "function", "outcome"], { outcome: "completed" })),
    ).toBe(1);
    expect(valuesOf("IndexRunDuration", ["service", "function"])).toHaveLength(1);
  });

  it("count chunks, tokens and Pinecone requests by provider, and the freshness lag", async () => {
    const embedded = sum(
      valuesOf("ChunksEmbedded", ["service", "function", "provider"], { provider: "local" }),
    );
    expect(embedded).toBeGreaterThan(0);
    expect(
      sum(valuesOf("EmbeddingTokens", ["service", "function", "provider"], { provider: "local" })),
    ).toBeGreaterThan(embedded);
    expect(sum(valuesOf("PineconeRequests", ["service", "function"]))).toBeGreaterThan(0);
    const [lag] = valuesOf("FreshnessLag", ["service", "function"]);
    // A first index is late from its registration (the page was edited before): seconds, not the
    // page's age. (test/fast/pipeline.test.ts has the edit and the same-text cases.)
    const document = (
      await stack.adapters.store.listDocuments({ tenantId: "default", datasetId: "metrics" })
    )[0];
    const since = (Date.now() - Date.parse(document?.createdAt ?? "")) / 1000;
    expect(lag).toBeGreaterThan(0);
    expect(lag).toBeLessThanOrEqual(since);
  });

  it("count Notion requests per binding (a property, not a dimension), and refused tokens", () => {
    const requests = emfRecords().filter((record) => typeof record.NotionRequests === "number");
    expect(new Set(requests.map((record) => record.binding))).toEqual(
      new Set(["default/default", "revoked/ws-revoked"]),
    );
    expect(
      sum(valuesOf("NotionRequests", ["service", "function"], { binding: "default/default" })),
    ).toBeGreaterThan(1);
    expect(
      sum(valuesOf("NotionTokenRefused", ["service", "function"], { binding: "revoked/ws-revoked" })),
      // The first refusal marks the binding disconnected: the second sync fails fast, without Notion.
    ).toBe(1);
    // Newly in error once: the second failing sync is not news.
    expect(
      sum(valuesOf("DocumentErrors", ["service", "function", "reason"], { reason: "notion-auth" })),
    ).toBe(1);
  });

  it("never print a token", () => {
    const everything = output.map(({ line }) => line).join("\n");
    expect(everything).not.toContain(REVOKED_TOKEN);
    expect(everything).not.toContain("demo-token");
  });
});

describe("usage ledger", () => {
  it("status --totals shows the day's and the month's cost per tenant and dataset, Notion checks included", async () => {
    const connection = {
      adapters: stack.adapters,
      local: stack.info,
      defaults: stack.info.defaults,
      queues: { sync: stack.info.syncQueueUrl, index: stack.info.indexQueueUrl },
    };
    const json = JSON.parse(await printedBy(() => usageTotalsCommand(connection, { json: true })));
    const [ours, revoked] = json.usage;
    expect(ours.tenantId).toBe("default");
    expect(revoked.tenantId).toBe("revoked");
    const dataset = ours.day.subjects.find((row: { subject: string }) => row.subject === "dataset metrics");
    expect(dataset.runs).toBe(1);
    expect(dataset.tokens).toBeGreaterThan(0);
    expect(dataset.estimatedUsd).toBeGreaterThan(0);
    // The sync's state check, charged to the workspace (the index run's requests are the dataset's).
    const checks = ours.day.subjects.find((row: { subject: string }) => row.subject === "workspace default");
    expect(checks.notionRequests).toBeGreaterThanOrEqual(1);
    expect(ours.month.total.estimatedUsd).toBeCloseTo(ours.day.total.estimatedUsd, 12);
    // The refused token's request counts too: Notion answered it (once: then the binding is disconnected).
    expect(revoked.day.total.notionRequests).toBe(1);
    const text = await printedBy(() => usageTotalsCommand(connection, { tenant: "default" }));
    expect(text).toMatch(/usage today \(\d{4}-\d{2}-\d{2}\) and this month/);
    expect(text).toMatch(/dataset metrics/);
    expect(text).toMatch(/workspace default/);
    expect(text).not.toMatch(/revoked/);
  });
});
