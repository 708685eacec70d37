/**
 * The ports one delivery runs with: the real adapters, wrapped so that the chaos suite can kill the
 * "process" at a stage boundary or hold it at a gate while another run goes ahead.
 *
 * A kill is a `SimulatedCrash` thrown from a port call. Once it is thrown the process is dead: every
 * later call of that delivery (the handler's own clean-up in catch blocks included) throws too, so
 * nothing a dead Lambda could not do reaches DynamoDB, Pinecone or SQS.
 */
import type {
  CheckpointStore,
  DeadLetterSink,
  DocumentStore,
  MessagePublisher,
  VectorIndex,
} from "../../lib/core/ports.js";
import type { Gate, KillBoundary } from "./chaos-scenario.js";

export class SimulatedCrash extends Error {
  override name = "SimulatedCrash";
}

type PortName = keyof BasePorts;

/**
 * Which call of which port a boundary is, and what of the call happens before the crash. The method
 * is typed as one of that port's own: a renamed method fails to compile instead of never matching.
 */
type CallPoint = {
  [P in PortName]: {
    port: P;
    method: keyof BasePorts[P] & string;
    when: "before" | "after" | "half";
    where?: (args: unknown[]) => boolean;
  };
}[PortName];

const isStatus = (status: string) => (args: unknown[]) =>
  (args[2] as { indexingStatus?: string } | undefined)?.indexingStatus === status;
const isClaimFor = (status: string) => (args: unknown[]) =>
  (args[0] as { status?: string }).status === status;

const KILL_POINTS: Record<Exclude<KillBoundary, "any:before-ack">, CallPoint> = {
  "sync:after-claim": { port: "indexQueue", method: "send", when: "before" },
  "sync:archive-after-claim": {
    port: "store",
    method: "claimDocument",
    when: "after",
    where: isClaimFor("archived"),
  },
  "sync:archive-mid-removal": { port: "vectors", method: "deleteIds", when: "after" },
  "index:after-parsing-claim": {
    port: "store",
    method: "updateDocument",
    when: "after",
    where: isStatus("parsing"),
  },
  "index:after-extract": {
    port: "store",
    method: "updateDocument",
    when: "before",
    where: isStatus("cleaning"),
  },
  // A run that ran short of time: its checkpoint saved, then dead before its lease renewal and its
  // continuation; or renewed, and dead just before sending the continuation.
  "index:after-checkpoint": { port: "checkpoints", method: "save", when: "after" },
  "index:before-continuation": { port: "indexQueue", method: "send", when: "before" },
  "index:mid-upsert": { port: "vectors", method: "upsert", when: "half" },
  "index:after-upsert": { port: "store", method: "putSegments", when: "before" },
  "index:mid-segments": { port: "store", method: "putSegments", when: "half" },
  "index:mid-cleanup": { port: "store", method: "deleteSegments", when: "before" },
  "index:after-cleanup": {
    port: "store",
    method: "updateDocument",
    when: "before",
    where: isStatus("completed"),
  },
};

const GATE_POINTS: Record<Gate, CallPoint> = {
  "sync:before-claim": { port: "store", method: "claimDocument", when: "before" },
  "index:before-upsert": { port: "vectors", method: "upsert", when: "before" },
  "index:before-segments": { port: "store", method: "putSegments", when: "before" },
  "index:before-cleanup": { port: "vectors", method: "listIds", when: "before" },
  "index:before-completion": {
    port: "store",
    method: "updateDocument",
    when: "before",
    where: isStatus("completed"),
  },
};

/** A point where a run waits until released; `reached` resolves when it gets there. */
export class Hold {
  readonly reached: Promise<void>;
  private markReached!: () => void;
  private release!: () => void;
  private readonly released: Promise<void>;
  constructor(readonly gate: Gate) {
    this.reached = new Promise((resolve) => {
      this.markReached = resolve;
    });
    this.released = new Promise((resolve) => {
      this.release = resolve;
    });
  }
  async wait(): Promise<void> {
    this.markReached();
    await this.released;
  }
  letGo(): void {
    this.release();
  }
}

export interface BasePorts {
  store: DocumentStore;
  vectors: VectorIndex;
  indexQueue: MessagePublisher;
  syncQueue: MessagePublisher;
  deadLetters: DeadLetterSink;
  checkpoints: CheckpointStore;
}

/** One delivery's "process": its ports, and whether (and where) it was killed. */
export class ChaosProcess {
  crashed: KillBoundary | undefined;
  readonly ports: BasePorts;
  private readonly counts = new Map<string, number>();

  constructor(
    base: BasePorts,
    private readonly kill: KillBoundary | undefined,
    private readonly hold: Hold | undefined,
  ) {
    this.ports = {
      store: this.wrap("store", base.store),
      vectors: this.wrap("vectors", base.vectors),
      indexQueue: this.wrap("indexQueue", base.indexQueue),
      syncQueue: this.wrap("syncQueue", base.syncQueue),
      deadLetters: this.wrap("deadLetters", base.deadLetters),
      checkpoints: this.wrap("checkpoints", base.checkpoints),
    };
  }

  private wrap<T extends object>(port: PortName, target: T): T {
    return new Proxy(target, {
      get: (object, property, receiver) => {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== "function") return value;
        const method = String(property);
        return async (...args: unknown[]) => {
          if (this.crashed) throw new SimulatedCrash(`process already dead (killed at ${this.crashed})`);
          if (this.hold && matches(GATE_POINTS[this.hold.gate], port, method, args)) await this.hold.wait();
          const point = this.kill && this.kill !== "any:before-ack" ? KILL_POINTS[this.kill] : undefined;
          if (point === undefined || !matches(point, port, method, args)) return value.apply(object, args);
          this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
          // Only the first matching call is the boundary.
          if ((this.counts.get(method) ?? 0) > 1) return value.apply(object, args);
          if (point.when === "after") await value.apply(object, args);
          if (point.when === "half") await value.apply(object, halfOf(method, args));
          this.crashed = this.kill;
          throw new SimulatedCrash(`killed at ${this.kill}`);
        };
      },
    });
  }
}

function matches(point: CallPoint, port: PortName, method: string, args: unknown[]): boolean {
  return point.port === port && point.method === method && (point.where?.(args) ?? true);
}

/** The same call with the first half of its list argument: a write cut off in the middle. */
function halfOf(method: string, args: unknown[]): unknown[] {
  const listIndex = method === "putSegments" ? 0 : 1;
  const list = args[listIndex] as unknown[];
  const copy = [...args];
  copy[listIndex] = list.slice(0, Math.ceil(list.length / 2));
  return copy;
}

/**
 * Publishers that send through the real SQS publisher right away and note the delay asked for:
 * the driver applies it on the simulated clock (fauxqs would hold the message in real seconds).
 */
export class DelayLedger {
  private readonly pending: { queue: string; body: string; delaySeconds: number }[] = [];

  publisher(queue: string, real: MessagePublisher, extraDelay: () => number): MessagePublisher {
    return {
      send: async (body, options) => {
        const delaySeconds = (options?.delaySeconds ?? 0) + extraDelay();
        await real.send(body);
        if (delaySeconds > 0) this.pending.push({ queue, body: JSON.stringify(body), delaySeconds });
      },
    };
  }

  /** The delay noted for a message received from `queue` with this body (0 when none). */
  take(queue: string, body: string): number {
    const index = this.pending.findIndex((entry) => entry.queue === queue && entry.body === body);
    if (index < 0) return 0;
    const [entry] = this.pending.splice(index, 1);
    return entry?.delaySeconds ?? 0;
  }
}
