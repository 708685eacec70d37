/**
 * Bugs the chaos suite found, each replayed from its shrunk trace: the scenario must now keep
 * every invariant.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Segment, vectorId } from "../../lib/core/model.js";
import type { DocumentStore, VectorIndex } from "../../lib/core/ports.js";
import { removeGenerations } from "../../lib/indexing/remove-generations.js";
import { runScenario } from "../support/chaos-runner.js";
import { type ChaosEvent, generateScenario } from "../support/chaos-scenario.js";
import { startStandInsForChaos } from "../support/chaos-world.js";
import type { StandIns } from "../support/harness.js";

let standIns: StandIns;

beforeAll(async () => {
  standIns = await startStandInsForChaos();
});
afterAll(async () => {
  await standIns?.close();
});

async function violationsOf(seed: number, events: ChaosEvent[]) {
  const report = await runScenario(standIns, { setup: generateScenario(seed).setup, events });
  return report.violations;
}

describe("chaos regressions", () => {
  it("a retry of a generation whose first attempt read longer content leaves no vector of it behind", async () => {
    // Seed 158: the index run of generation 1 dies after upserting 4 vectors and half the segments;
    // the page is rewritten (3 chunks) in the same minute; after the lease runs out the redelivered
    // message indexes generation 1 again. Its clean-up kept every position of generation 1, so
    // vector #1#3 stayed in Pinecone with no segment, and no later sweep could see it.
    const violations = await violationsOf(158, [
      { kind: "deliver", pick: 0.12871724856086075, duplicate: false, delaySeconds: 0 },
      {
        kind: "deliver",
        pick: 0.8351344419643283,
        duplicate: false,
        delaySeconds: 106,
        fault: { kind: "kill", sync: "sync:archive-after-claim", index: "index:mid-segments" },
      },
      { kind: "edit", tenant: 0, page: 0, edit: "rewrite" },
    ]);
    expect(violations).toEqual([]);
  });

  it("a run that outlived its lease does not delete the newer generation that took over", async () => {
    // Seed 158 (2 + 2 pages). The index run of generation 1 is held before its clean-up while the
    // clock passes its lease; a sync takes the document over (generation 2) and generation 2 is
    // indexed to the end. Then the old run goes on: its clean-up removed "every generation but 1",
    // so generation 2's vectors and segments, the completed ones, were deleted.
    const violations = await violationsOf(158, [
      { kind: "deliver", pick: 0, duplicate: false, delaySeconds: 0 },
      { kind: "sync", tenant: 0, page: 0 },
      { kind: "interleave", pick: 0.7, indexGate: "index:before-cleanup", edit: false, expireLease: true },
    ]);
    expect(violations).toEqual([]);
  });
});

describe("removeGenerations, as the chaos traces need it", () => {
  /** Hand-made ports over lists: what was deleted is recorded. */
  function fakes(segments: [number, number][], vectorIds: string[]) {
    const deleted = { ids: [] as string[], segments: [] as unknown[] };
    const vectors = {
      listIds: async (_namespace: string, prefix: string) => vectorIds.filter((id) => id.startsWith(prefix)),
      deleteIds: async (_namespace: string, ids: string[]) => {
        deleted.ids.push(...ids);
        return ids.length;
      },
    } as unknown as VectorIndex;
    const store = {
      listSegments: async () =>
        segments.map(
          ([generation, position]) =>
            ({ generation, position, indexNodeId: vectorId("doc", generation, position) }) as Segment,
        ),
      deleteSegments: async (_documentId: string, keys: unknown[]) => {
        deleted.segments.push(...keys);
        return keys.length;
      },
    } as unknown as DocumentStore;
    return { ports: { store, vectors }, deleted };
  }

  it("removes the positions of its own generation beyond what it wrote, and older generations", async () => {
    const { ports, deleted } = fakes(
      [
        [2, 0],
        [2, 1],
        [2, 2],
        [1, 0],
      ],
      ["doc#1#0", "doc#2#0", "doc#2#1", "doc#2#2", "doc#2#3"],
    );
    await removeGenerations(ports, {
      documentId: "doc",
      namespace: "ns",
      keepGeneration: 2,
      keepPositions: 2,
    });
    expect(deleted.ids.sort()).toEqual(["doc#1#0", "doc#2#2", "doc#2#3"]);
    expect(deleted.segments).toEqual([
      { generation: 2, position: 2 },
      { generation: 1, position: 0 },
    ]);
  });

  it("never removes a newer generation: it belongs to the run that took the document over", async () => {
    const { ports, deleted } = fakes(
      [
        [3, 0],
        [2, 0],
      ],
      ["doc#2#0", "doc#3#0", "doc#3#1"],
    );
    await removeGenerations(ports, {
      documentId: "doc",
      namespace: "ns",
      keepGeneration: 2,
      keepPositions: 0,
    });
    expect(deleted.ids).toEqual(["doc#2#0"]);
    expect(deleted.segments).toEqual([{ generation: 2, position: 0 }]);
  });
});
