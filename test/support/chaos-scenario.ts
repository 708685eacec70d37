/**
 * A chaos scenario is data: a seeded set-up (pages per tenant, their first content) and a list of
 * events. Every random choice an event needs is stored in the event itself, so that any subset of
 * the events is still a valid scenario: that is what lets a failure shrink to its shortest trace.
 */
import { Random } from "./chaos-random.js";

export type TenantIndex = 0 | 1;

/** Where a run is killed: a port call at a stage boundary of sync-document.ts / index-document.ts. */
export const SYNC_KILLS = [
  "sync:after-claim", // claimed (new generation, lease), index message not sent
  "sync:archive-after-claim", // claimed to archive, nothing removed yet
  "sync:archive-mid-removal", // vectors deleted, segments and status not
  "any:before-ack", // the work is done, the record is not acknowledged (redelivered)
] as const;
export const INDEX_KILLS = [
  "index:after-parsing-claim", // status `parsing` and the run's lease written
  "index:after-extract", // Notion read, before `cleaning`
  "index:after-checkpoint", // out of time: checkpoint saved, lease not renewed, no continuation sent
  "index:before-continuation", // out of time: checkpoint saved, lease renewed, no continuation sent
  "index:mid-upsert", // half of the new generation's vectors written
  "index:after-upsert", // vectors written, no segments
  "index:mid-segments", // half of the segments written
  "index:mid-cleanup", // older generations' vectors deleted, their segments not
  "index:after-cleanup", // older generations gone, `completed` not written
  "any:before-ack",
] as const;
export type KillBoundary = (typeof SYNC_KILLS)[number] | (typeof INDEX_KILLS)[number];

/** Where one run waits while another runs on the same document (conditional-write conflicts). */
export const INDEX_GATES = [
  "index:before-upsert",
  "index:before-segments",
  "index:before-cleanup",
  "index:before-completion",
] as const;
export type Gate = "sync:before-claim" | (typeof INDEX_GATES)[number];

export type Fault =
  /** Kills the run at `sync` if the delivery is a sync record, at `index` if it is an index record. */
  | { kind: "kill"; sync: KillBoundary; index: KillBoundary }
  /** Notion answers `status` to `count` requests after `after` good ones (429s carry Retry-After). */
  | { kind: "notion"; status: number; after: number; count: number; retryAfterSeconds?: number }
  /** A Notion request after `after` good ones hangs past the client's timeout. */
  | { kind: "notion-timeout"; after: number }
  | { kind: "pinecone"; status: number; after: number };

export type ChaosEvent =
  | { kind: "edit"; tenant: TenantIndex; page: number; edit: "rewrite" | "append" | "rename" }
  | { kind: "trash"; tenant: TenantIndex; page: number }
  | { kind: "restore"; tenant: TenantIndex; page: number }
  | { kind: "delete"; tenant: TenantIndex; page: number }
  | { kind: "tick"; seconds: number }
  /**
   * Delivers one visible message of the pool (`pick` in [0, 1) chooses it: reordering). `duplicate`
   * leaves a copy behind (at-least-once); `delaySeconds` delays the messages this delivery sends.
   */
  | { kind: "deliver"; pick: number; duplicate: boolean; delaySeconds: number; fault?: Fault }
  /**
   * Delivers a message, holds it at a gate (before its claim for a sync record, `indexGate` for an
   * index record), delivers another message of the same document (or a duplicate) to the end, then
   * lets the first go on. `edit` changes the page meanwhile;
   * `expireLease` moves the clock past the lease, so the second run may take the document over.
   */
  | { kind: "interleave"; pick: number; indexGate: Gate; edit: boolean; expireLease: boolean }
  | { kind: "poison"; queue: "sync" | "index"; body: string }
  /** The scheduled sweep, as EventBridge sends it. */
  | { kind: "sweep" }
  /** A unit sync, as `sync --document` sends it. */
  | { kind: "sync"; tenant: TenantIndex; page: number };

export interface ScenarioSetup {
  seed: number;
  /** Pages per tenant. */
  pages: [number, number];
  /** Paragraphs of each page's first content, per tenant. */
  paragraphs: [number[], number[]];
}

export interface Scenario {
  setup: ScenarioSetup;
  events: ChaosEvent[];
}

const POISON_BODIES = [
  "not json at all",
  '{"datasetId": 42}',
  '{"type": "sweep", "mode": "everything"}',
  '{"datasetId": "d", "documentId": "has spaces"}',
  "[1, 2, 3]",
  '{"datasetId": "d", "documentId": "x", "generation": -1}',
];

export function generateScenario(seed: number, eventCount?: number): Scenario {
  const random = new Random(seed);
  const pages: [number, number] = [random.int(2, 4), random.int(2, 4)];
  const paragraphs: [number[], number[]] = [
    Array.from({ length: pages[0] }, () => random.int(1, 4)),
    Array.from({ length: pages[1] }, () => random.int(1, 4)),
  ];
  const count = eventCount ?? random.int(25, 50);
  const events: ChaosEvent[] = [];
  for (let i = 0; i < count; i++) events.push(randomEvent(random, pages));
  return { setup: { seed, pages, paragraphs }, events };
}

function randomEvent(random: Random, pages: [number, number]): ChaosEvent {
  const tenant: TenantIndex = random.chance(0.5) ? 0 : 1;
  const page = random.int(0, pages[tenant] - 1);
  const kind = random.weighted({
    deliver: 50,
    tick: 9,
    edit: 12,
    trash: 3,
    restore: 3,
    delete: 1,
    interleave: 7,
    poison: 2,
    sweep: 4,
    sync: 3,
  });
  switch (kind) {
    case "deliver":
      return {
        kind,
        pick: random.next(),
        duplicate: random.chance(0.15),
        delaySeconds: random.chance(0.1) ? random.int(1, 120) : 0,
        ...(random.chance(0.4) ? { fault: randomFault(random) } : {}),
      };
    case "tick":
      return { kind, seconds: random.pick([1, 5, 20, 45, 61, 90, 200]) };
    case "edit":
      return { kind, tenant, page, edit: random.pick(["rewrite", "append", "rename"] as const) };
    case "interleave":
      return {
        kind,
        pick: random.next(),
        indexGate: random.pick(INDEX_GATES),
        edit: random.chance(0.5),
        expireLease: random.chance(0.4),
      };
    case "poison":
      return { kind, queue: random.chance(0.5) ? "sync" : "index", body: random.pick(POISON_BODIES) };
    case "sweep":
      return { kind };
    default:
      return { kind, tenant, page };
  }
}

function randomFault(random: Random): Fault {
  switch (random.weighted({ kill: 50, notion: 25, timeout: 5, pinecone: 20 })) {
    case "kill":
      return { kind: "kill", sync: random.pick(SYNC_KILLS), index: random.pick(INDEX_KILLS) };
    case "notion": {
      const status = random.pick([429, 500, 502, 503, 504]);
      // A 5xx burst of 1–2 is absorbed by the client's retries; 3 gets through to the record.
      const count = random.int(1, 3);
      const after = random.int(0, 3);
      return status === 429
        ? { kind: "notion", status, after, count: 1, retryAfterSeconds: random.pick([0, 2, 30]) }
        : { kind: "notion", status, after, count };
    }
    case "timeout":
      return { kind: "notion-timeout", after: random.int(0, 3) };
    default:
      return { kind: "pinecone", status: random.pick([500, 503]), after: random.int(0, 2) };
  }
}

/** One line per event, for failure reports. */
export function describeEvent(event: ChaosEvent): string {
  const { kind, ...rest } = event;
  const fields = Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" ");
  return fields === "" ? kind : `${kind} ${fields}`;
}
