/**
 * Drives one chaos scenario. Messages that the real publishers sent to the fauxqs queues are taken
 * into an in-memory delivery pool, which plays SQS's part on the simulated clock: it hands records
 * to the real per-record handlers in any order, duplicates and delays them, puts a failed record
 * back after the visibility timeout with its receive count raised, and dead-letters it after
 * MAX_RECEIVE_COUNT receives (the stack's redrive policy). Poison bodies reach the DLQ through the
 * real DeadLetterSink.
 *
 * Faults are transient: a record's last allowed receive gets no injected fault, so a valid message
 * reaches the DLQ only if the system itself keeps failing it.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { createIndexRecordHandler } from "../../lib/sqs-records/index-record.js";
import { createSyncRecordHandler } from "../../lib/sqs-records/sync-record.js";
import type { SweepResult } from "../../lib/sync/sweep.js";
import { ChaosProcess, DelayLedger, Hold, SimulatedCrash } from "./chaos-ports.js";
import type { ChaosEvent, Fault, Gate, TenantIndex } from "./chaos-scenario.js";
import {
  CHAOS_LEASE_SECONDS,
  type ChaosWorld,
  MAX_RECEIVE_COUNT,
  NOTION_HANG_MS,
  pageBlocks,
  registerAll,
  VISIBILITY_SECONDS,
} from "./chaos-world.js";
import { collectingLog, type LogLine, type StandIns, sqsRecord } from "./harness.js";

type QueueName = "sync" | "index";

interface PoolEntry {
  id: number;
  queue: QueueName;
  body: string;
  /** Receives so far. */
  receives: number;
  visibleAt: number;
  inFlight: boolean;
}

export interface ChaosStats {
  events: Record<string, number>;
  deliveries: number;
  duplicates: number;
  delayed: number;
  /** Faults armed for a delivery, by kind, and how many the delivery actually met. */
  faultsArmed: Record<string, number>;
  faultsFired: Record<string, number>;
  killsByBoundary: Record<string, number>;
  interleaves: { held: number; notReached: number };
  /** Record failures by error name (SimulatedCrash, RetryableError...). */
  failures: Record<string, number>;
  /** Valid messages dead-lettered after MAX_RECEIVE_COUNT receives. */
  redriven: number;
  poison: number;
  quietRounds: number;
}

export function emptyStats(): ChaosStats {
  return {
    events: {},
    deliveries: 0,
    duplicates: 0,
    delayed: 0,
    faultsArmed: {},
    faultsFired: {},
    killsByBoundary: {},
    interleaves: { held: 0, notReached: 0 },
    failures: {},
    redriven: 0,
    poison: 0,
    quietRounds: 0,
  };
}

const bump = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

/** Longest quiet phase: rounds of (clock past leases, drain, sweep, drain). */
const MAX_QUIET_ROUNDS = 6;
const MAX_DRAIN_DELIVERIES = 3_000;

export class ChaosDriver {
  readonly stats = emptyStats();
  readonly logs: LogLine[] = [];
  readonly poisoned: Record<QueueName, string[]> = { sync: [], index: [] };
  /** Valid bodies that the redrive policy sent to a DLQ (each is a violation). */
  readonly redriven: { queue: QueueName; body: string }[] = [];
  /** What happened, delivery by delivery: printed with a replayed failure. */
  readonly journal: string[] = [];
  private readonly pool: PoolEntry[] = [];
  private readonly ledger = new DelayLedger();
  private readonly log = collectingLog(this.logs);
  private nextId = 0;
  private lastSweep: SweepResult | undefined;

  constructor(
    private readonly standIns: StandIns,
    private readonly world: ChaosWorld,
  ) {}

  private get now(): number {
    return this.world.clock.now().getTime();
  }

  private queueUrl(queue: QueueName): string {
    const { syncQueue, indexQueue } = this.standIns.queues;
    return (queue === "sync" ? syncQueue : indexQueue).queueUrl;
  }

  async start(): Promise<void> {
    await registerAll(
      this.world,
      this.ledger.publisher("sync", this.world.publishers.sync, () => 0),
    );
    await this.collect();
  }

  /** Moves what the publishers sent to fauxqs into the pool (received and deleted at once). */
  async collect(): Promise<void> {
    for (const queue of ["sync", "index"] as const) {
      const queueUrl = this.queueUrl(queue);
      for (;;) {
        const received = await this.world.adapters.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) break;
        for (const message of messages) {
          await this.world.adapters.sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
          const body = message.Body ?? "";
          const delaySeconds = this.ledger.take(queue, body);
          this.add(queue, body, delaySeconds);
        }
      }
    }
  }

  private add(queue: QueueName, body: string, delaySeconds = 0): PoolEntry {
    this.nextId += 1;
    const entry = {
      id: this.nextId,
      queue,
      body,
      receives: 0,
      visibleAt: this.now + delaySeconds * 1000,
      inFlight: false,
    };
    this.pool.push(entry);
    return entry;
  }

  private visible(): PoolEntry[] {
    return this.pool.filter((entry) => !entry.inFlight && entry.visibleAt <= this.now);
  }

  get pending(): number {
    return this.pool.length;
  }

  // ---------------------------------------------------------------- events

  async apply(event: ChaosEvent): Promise<void> {
    bump(this.stats.events, event.kind);
    if (event.kind !== "deliver" && event.kind !== "interleave") {
      this.journal.push(`${this.world.clock.now().toISOString()} event ${JSON.stringify(event)}`);
    }
    switch (event.kind) {
      case "edit":
        this.edit(event.tenant, event.page, event.edit);
        break;
      case "trash":
        this.world.tenants[event.tenant].workspace.trashPage(this.pageId(event.tenant, event.page));
        break;
      case "restore":
        this.world.tenants[event.tenant].workspace.restorePage(this.pageId(event.tenant, event.page));
        break;
      case "delete":
        this.world.tenants[event.tenant].workspace.deletePage(this.pageId(event.tenant, event.page));
        break;
      case "tick":
        this.world.clock.advance(event.seconds * 1000);
        break;
      case "deliver":
        await this.deliverEvent(event);
        break;
      case "interleave":
        await this.interleave(event.pick, event.indexGate, event.edit, event.expireLease);
        break;
      case "poison":
        this.stats.poison += 1;
        this.poisoned[event.queue].push(event.body);
        await this.world.adapters.sqs.send(
          new SendMessageCommand({ QueueUrl: this.queueUrl(event.queue), MessageBody: event.body }),
        );
        break;
      case "sweep":
        await this.world.publishers.sync.send({ type: "sweep" });
        break;
      case "sync": {
        const tenant = this.world.tenants[event.tenant];
        await this.world.publishers.sync.send({
          datasetId: tenant.datasetId,
          documentId: tenant.documentIds[event.page],
        });
        break;
      }
    }
    await this.collect();
  }

  private pageId(tenant: TenantIndex, page: number): string {
    return this.world.tenants[tenant].pageIds[page] as string;
  }

  private edit(tenantIndex: TenantIndex, page: number, kind: "rewrite" | "append" | "rename"): void {
    const tenant = this.world.tenants[tenantIndex];
    const pageId = this.pageId(tenantIndex, page);
    const version = (tenant.versions[page] ?? 0) + 1;
    tenant.versions[page] = version;
    const { random } = this.world;
    if (kind === "rewrite") {
      tenant.workspace.editPage(pageId, pageBlocks(random, tenant, page, version, random.int(1, 4)));
    } else if (kind === "append") {
      tenant.workspace.appendParagraph(pageId, `${tenant.tenantId}/p${page}/v${version} appended note.`);
    } else {
      tenant.workspace.setTitle(pageId, `Page ${tenant.tenantId} ${page} v${version}`);
    }
  }

  private async deliverEvent(event: Extract<ChaosEvent, { kind: "deliver" }>): Promise<void> {
    const visible = this.visible();
    const entry = visible[Math.floor(event.pick * visible.length)];
    if (entry === undefined) return;
    if (event.duplicate) {
      // At-least-once: the same message will be delivered again.
      this.stats.duplicates += 1;
      this.add(entry.queue, entry.body);
    }
    // The last allowed receive gets no injected fault: faults are transient.
    const fault = entry.receives + 1 >= MAX_RECEIVE_COUNT ? undefined : event.fault;
    await this.deliver(entry, { fault, delaySeconds: event.delaySeconds });
  }

  /**
   * Conditional-write conflicts: run A waits at `gate`; meanwhile another message of the same
   * document (or a duplicate of A) runs to the end; then A goes on.
   */
  private async interleave(
    pick: number,
    indexGate: Gate,
    edit: boolean,
    expireLease: boolean,
  ): Promise<void> {
    const visible = this.visible();
    const first = visible[Math.floor(pick * visible.length)];
    if (first === undefined) return;
    const hold = new Hold(first.queue === "sync" ? "sync:before-claim" : indexGate);
    const running = this.deliver(first, { hold });
    const held = await Promise.race([hold.reached.then(() => true), running.then(() => false)]);
    if (!held) {
      this.stats.interleaves.notReached += 1;
      return;
    }
    this.stats.interleaves.held += 1;
    const documentId = documentOf(first.body);
    if (edit) this.editDocument(documentId);
    if (expireLease) this.world.clock.advance((CHAOS_LEASE_SECONDS + 1) * 1000);
    // Messages A sent before it stopped are in fauxqs: take them in first, so B may be one of them.
    await this.collect();
    const second =
      this.visible().find((entry) => entry !== first && documentOf(entry.body) === documentId) ??
      this.add(first.queue, first.body);
    const mark = this.nextId;
    await this.deliver(second, {});
    // What the second run sent for this document runs too (a sync's index message): the held run
    // then meets a newer generation that is already complete.
    for (let step = 0; step < 3; step++) {
      await this.collect();
      const next = this.visible().find(
        (entry) => entry.id > mark && entry !== first && documentOf(entry.body) === documentId,
      );
      if (next === undefined) break;
      await this.deliver(next, {});
    }
    hold.letGo();
    await running;
  }

  private editDocument(documentId: string | undefined): void {
    for (const [tenantIndex, tenant] of this.world.tenants.entries()) {
      const page = tenant.documentIds.indexOf(documentId ?? "");
      if (page >= 0) this.edit(tenantIndex as TenantIndex, page, "append");
    }
  }

  // ---------------------------------------------------------------- one delivery

  /**
   * Index invocations that run short of time: one in three has only a few steps before its
   * deadline, so runs save checkpoints and go on in continuations (and die there, with the kills
   * above). Decided from the run's seed and the delivery, so a replay does the same.
   */
  private invocationFor(entry: PoolEntry) {
    if (entry.queue !== "index") return undefined;
    const roll = (this.world.setup.seed * 31 + entry.id * 7 + entry.receives) % 9;
    if (roll > 2) return undefined;
    let checks = 0;
    const steps = 2 + roll * 2;
    return { getRemainingTimeInMillis: () => (++checks < steps ? 900_000 : 1_000) };
  }

  private async deliver(
    entry: PoolEntry,
    options: { fault?: Fault; delaySeconds?: number; hold?: Hold },
  ): Promise<void> {
    entry.inFlight = true;
    this.stats.deliveries += 1;
    const { adapters, clock } = this.world;
    const kill = options.fault?.kind === "kill" ? options.fault[entry.queue] : undefined;
    const delaySeconds = options.delaySeconds ?? 0;
    if (delaySeconds > 0) this.stats.delayed += 1;
    const process = new ChaosProcess(
      {
        store: adapters.store,
        vectors: adapters.vectors,
        syncQueue: this.ledger.publisher("sync", adapters.syncQueue, () => delaySeconds),
        indexQueue: this.ledger.publisher("index", adapters.indexQueue, () => delaySeconds),
        deadLetters: entry.queue === "sync" ? adapters.syncDeadLetters : adapters.indexDeadLetters,
        checkpoints: adapters.checkpoints,
      },
      kill,
      options.hold,
    );
    const ports = { ...adapters, ...process.ports, clock, log: this.log };
    const handler =
      entry.queue === "sync"
        ? createSyncRecordHandler(ports, { leaseSeconds: CHAOS_LEASE_SECONDS })
        : createIndexRecordHandler(ports, { leaseSeconds: CHAOS_LEASE_SECONDS });
    const record = sqsRecord(entry.body, `m-${this.world.run}-${entry.id}`, entry.receives + 1, this.now);

    const armed = options.fault ? this.arm(options.fault) : 0;
    let failed: unknown;
    let result: unknown;
    try {
      result = await handler(record, this.invocationFor(entry));
    } catch (error) {
      failed = error;
    } finally {
      if (options.fault && options.fault.kind !== "kill") this.disarm(options.fault, armed);
    }
    if (process.crashed) bump(this.stats.killsByBoundary, `${process.crashed} (${entry.queue})`);
    if (failed === undefined && kill === "any:before-ack") {
      bump(this.stats.killsByBoundary, `any:before-ack (${entry.queue})`);
      failed = new SimulatedCrash("killed before the record was acknowledged");
    }
    if (isSweepResult(result)) this.lastSweep = result;
    entry.inFlight = false;
    this.journal.push(
      `${this.world.clock.now().toISOString()} #${entry.id} ${entry.queue} receive ${entry.receives + 1} ${entry.body}` +
        `${kill ? ` kill=${kill}` : ""}${options.hold ? ` hold=${options.hold.gate}` : ""}` +
        `${options.fault && options.fault.kind !== "kill" ? ` fault=${JSON.stringify(options.fault)}` : ""}` +
        ` → ${failed === undefined ? outcomeOf(result) : `failed: ${failed instanceof Error ? `${failed.name}: ${failed.message}` : String(failed)}`}`,
    );

    if (failed === undefined) {
      this.pool.splice(this.pool.indexOf(entry), 1);
      return;
    }
    bump(this.stats.failures, failed instanceof Error ? failed.name : "thrown");
    entry.receives += 1;
    if (entry.receives < MAX_RECEIVE_COUNT) {
      entry.visibleAt = this.now + VISIBILITY_SECONDS * 1000;
      return;
    }
    // SQS's redrive policy moves it to the dead-letter queue.
    this.pool.splice(this.pool.indexOf(entry), 1);
    this.stats.redriven += 1;
    this.redriven.push({ queue: entry.queue, body: entry.body });
    const { syncDlq, indexDlq } = this.standIns.queues;
    await adapters.sqs.send(
      new SendMessageCommand({
        QueueUrl: (entry.queue === "sync" ? syncDlq : indexDlq).queueUrl,
        MessageBody: entry.body,
      }),
    );
  }

  /** Arms a stand-in fault for one delivery; returns how many faults were queued. */
  private arm(fault: Fault): number {
    const { notion, pinecone } = this.standIns;
    bump(this.stats.faultsArmed, faultName(fault));
    switch (fault.kind) {
      case "kill":
        return 0;
      case "notion":
        notion.faults.failAfter(fault.after, fault.status, fault.retryAfterSeconds);
        if (fault.count > 1) notion.faults.failNext(fault.count - 1, fault.status, fault.retryAfterSeconds);
        return fault.count;
      case "notion-timeout":
        notion.faults.delayAfter(fault.after, NOTION_HANG_MS);
        return 1;
      case "pinecone":
        pinecone.faults.failAfter(fault.after, fault.status);
        return 1;
    }
  }

  private disarm(fault: Fault, armed: number): void {
    const { notion, pinecone } = this.standIns;
    const faults = fault.kind === "pinecone" ? pinecone.faults : notion.faults;
    const served = armed - faults.pending();
    if (served > 0) bump(this.stats.faultsFired, faultName(fault), served);
    faults.clear();
  }

  // ---------------------------------------------------------------- going quiet

  /**
   * What the deployed system does on its own once the faults stop: the clock moves past every
   * lease, visibility timeout and edit minute, the queues are drained, and the scheduled sweep
   * (`{"type":"sweep"}`, as EventBridge sends it) runs, until a sweep finds nothing to do.
   */
  async quiesce(): Promise<{ settled: boolean; rounds: number }> {
    for (let round = 1; round <= MAX_QUIET_ROUNDS; round++) {
      this.world.clock.advance((Math.max(CHAOS_LEASE_SECONDS, VISIBILITY_SECONDS, 60) + 1) * 1000);
      if (!(await this.drain())) return { settled: false, rounds: round };
      this.lastSweep = undefined;
      await this.world.publishers.sync.send({ type: "sweep" });
      await this.collect();
      if (!(await this.drain())) return { settled: false, rounds: round };
      this.stats.quietRounds += 1;
      // Set by the sweep's delivery inside drain(): TypeScript cannot see that.
      const sweep = this.lastSweep as SweepResult | undefined;
      if (sweep?.enqueued === 0 && this.pool.length === 0) return { settled: true, rounds: round };
    }
    return { settled: false, rounds: MAX_QUIET_ROUNDS };
  }

  /** Delivers everything in arrival order, without faults; waits out delays on the clock. */
  private async drain(): Promise<boolean> {
    for (let i = 0; i < MAX_DRAIN_DELIVERIES; i++) {
      await this.collect();
      const next = this.visible()[0];
      if (next !== undefined) {
        await this.deliver(next, {});
        continue;
      }
      if (this.pool.length === 0) return true;
      const earliest = Math.min(...this.pool.map((entry) => entry.visibleAt));
      this.world.clock.advance(Math.max(0, earliest - this.now));
    }
    return false;
  }
}

function documentOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { documentId?: unknown };
    return typeof parsed.documentId === "string" ? parsed.documentId : undefined;
  } catch {
    return undefined;
  }
}

function outcomeOf(result: unknown): string {
  if (typeof result !== "object" || result === null) return "acknowledged";
  const { outcome, generation, reason, enqueued } = result as Record<string, unknown>;
  if (enqueued !== undefined) return `sweep enqueued ${enqueued}`;
  return [outcome, generation === undefined ? "" : `g${generation}`, reason ?? ""].join(" ").trim();
}

function isSweepResult(result: unknown): result is SweepResult {
  return typeof result === "object" && result !== null && "enqueued" in result && "listed" in result;
}

function faultName(fault: Fault): string {
  switch (fault.kind) {
    case "kill":
      return "kill";
    case "notion":
      return `notion ${fault.status}`;
    case "notion-timeout":
      return "notion timeout";
    case "pinecone":
      return `pinecone ${fault.status}`;
  }
}
