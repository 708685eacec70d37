/**
 * The metrics adapter as CloudWatch would read its output (EMF records on stdout): what is summed,
 * what is kept value by value, the two dimension sets of a labelled figure, the binding as a property.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createEmfMetrics } from "../../lib/adapters/aws/emf-metrics.js";

let written: string[] = [];
const capture = () => {
  written = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
};
const records = () =>
  written
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map(
      (line) =>
        JSON.parse(line) as Record<string, unknown> & {
          _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] };
        },
    );

afterEach(() => vi.restoreAllMocks());

describe("EMF metrics", () => {
  it("sums counts and budget waits, keeps durations value by value, and writes nothing twice", () => {
    const metrics = createEmfMetrics({ namespace: "NotionIndexSync/test", functionLabel: "index" });
    for (let i = 0; i < 1000; i++) {
      metrics.record("notionRequests", 1, {}, { binding: "acme/ws" });
      metrics.record("notionBudgetWait", 250, {}, { binding: "acme/ws" });
    }
    metrics.record("indexRunDuration", 1200);
    metrics.record("indexRunDuration", 800);
    capture();
    metrics.publish();
    metrics.publish();
    const [binding, plain] = [
      records().find((r) => r.binding === "acme/ws"),
      records().find((r) => !r.binding),
    ];
    expect(binding).toMatchObject({ NotionRequests: 1000, NotionBudgetWait: 250_000, function: "index" });
    expect(plain).toMatchObject({ IndexRunDuration: [1200, 800] });
    expect(records()).toHaveLength(2);
  });

  it("writes a labelled figure under its label and under the function's total", () => {
    const metrics = createEmfMetrics({ namespace: "NotionIndexSync/test", functionLabel: "sync" });
    metrics.record("documentErrors", 1, { reason: "notion-auth" });
    capture();
    metrics.publish();
    const dimensions = records().map((record) => record._aws.CloudWatchMetrics[0]?.Dimensions);
    expect(dimensions).toEqual([[["service", "function", "reason"]], [["service", "function"]]]);
    expect(records().map((record) => record.DocumentErrors)).toEqual([1, 1]);
  });

  it("writes nothing without a namespace (a handler loaded outside a stack)", () => {
    vi.stubEnv("POWERTOOLS_METRICS_NAMESPACE", "");
    const metrics = createEmfMetrics({ functionLabel: "sync" });
    metrics.record("documentsSynced", 1, { outcome: "unchanged" });
    capture();
    metrics.publish();
    expect(records()).toEqual([]);
    vi.unstubAllEnvs();
  });
});
