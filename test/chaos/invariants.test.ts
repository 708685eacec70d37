/**
 * The chaos suite's checks can fail: a quiet system is broken on purpose, one way per invariant,
 * and each breakage must be reported under its own invariant.
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScenario } from "../support/chaos-runner.js";
import { generateScenario } from "../support/chaos-scenario.js";
import { startStandInsForChaos } from "../support/chaos-world.js";
import type { StandIns } from "../support/harness.js";

let standIns: StandIns;

beforeAll(async () => {
  standIns = await startStandInsForChaos();
});
afterAll(async () => {
  await standIns?.close();
});

describe("chaos invariants", () => {
  it("reports each kind of broken end state under its invariant", async () => {
    const generated = generateScenario(11, 30);
    // No page goes away during the run: the tampering below decides which pages are live.
    const events = generated.events.filter((event) => !["trash", "delete", "restore"].includes(event.kind));

    const report = await runScenario(standIns, { ...generated, events }, async (world) => {
      const { store, vectors, sqs } = world.adapters;
      const [a, b] = world.tenants;
      const [a0] = a.documentIds as [string];
      const [b0] = b.documentIds as [string];

      // A segment of another generation next to the current ones.
      const [segment] = await store.listSegments(a0);
      if (segment) await store.putSegments([{ ...segment, generation: 999, indexNodeId: `${a0}#999#0` }]);
      // Notion changed and nobody synced.
      a.workspace.appendParagraph(a.pageIds[1] as string, "An edit the index never saw.");
      // A lease left behind, and a vector no segment names.
      const document = await store.getDocument(b0);
      await store.updateDocument(
        b0,
        document?.generation ?? 0,
        {},
        { lease: { owner: "left-behind", expiresAt: "2030-01-01T00:00:00.000Z" } },
      );
      await vectors.upsert(b.namespace, [
        {
          id: `${b0}#999#0`,
          values: Array.from({ length: 64 }, () => 0.1),
          metadata: {
            tenantId: b.tenantId,
            datasetId: b.datasetId,
            documentId: b0,
            position: 0,
            text: "orphan",
            title: "orphan",
            source: "https://www.notion.so/orphan",
            headingPath: [],
          },
        },
      ]);
      // A page trashed after its last sync: its content is still searchable.
      b.workspace.trashPage(b.pageIds[1] as string);
      // A valid message in a dead-letter queue.
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: standIns.queues.syncDlq.queueUrl,
          MessageBody: JSON.stringify({ datasetId: a.datasetId, documentId: a0 }),
        }),
      );
    });

    const reported = new Set(report.violations.map((violation) => violation.invariant));
    expect([...reported].sort()).toEqual(
      [
        "dead-letters-only-poison",
        "deleted-page-has-no-content",
        "live-document-completed-with-latest-content",
        "no-orphan-vector",
        "no-working-status-no-lease",
        "one-generation-segments-equal-vectors",
      ].sort(),
    );
  });

  it("reports nothing for the same scenario left alone", async () => {
    const generated = generateScenario(11, 30);
    const events = generated.events.filter((event) => !["trash", "delete", "restore"].includes(event.kind));
    const report = await runScenario(standIns, { ...generated, events });
    expect(report.violations).toEqual([]);
  });
});
