/**
 * The Notion stand-in's integration webhooks: subscribes to a NotionWorkspace's changes and POSTs
 * signed events to a URL, as Notion does for a webhook subscription (API version 2025-09-03):
 * first the handshake, `{"verification_token": "..."}`, unsigned; then every event signed with
 * `X-Notion-Signature: sha256=<HMAC-SHA256 of the raw body keyed by the token>`. A delivery that
 * fails (not 2xx, or no answer) is retried a few times with the same event id and a higher
 * `attempt_number`, as Notion retries.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "../lib/core/ports.js";
import { signBody } from "../lib/webhooks/signature.js";
import type { NotionWorkspace, WorkspaceChange } from "./notion-workspace.js";

export interface NotionWebhookSenderOptions {
  workspace: NotionWorkspace;
  /** The subscription's URL. */
  url: string;
  /** Stamps events (`timestamp`); the system clock by default. */
  clock?: Clock;
  /** Waits this long before each delivery, like Notion's own delay (default none). */
  deliveryDelayMs?: number;
  /** Attempts per event, the first included (default 4). */
  maxAttempts?: number;
  /** Wait before attempt n+1: `retryDelayMs * 2^(n-1)` (default 500). */
  retryDelayMs?: number;
  /** The verification token to hand over in the handshake (default a fresh random one). */
  verificationToken?: string;
}

export interface Delivery {
  eventId: string;
  type: string;
  entityId: string;
  attempt: number;
  status: number;
}

export interface NotionWebhookSender {
  /** The token the handshake hands over; events are signed with it. */
  readonly verificationToken: string;
  /** Sends the handshake; resolves to the receiver's HTTP status. */
  handshake(): Promise<number>;
  /** Builds and sends the event for one change (also what the workspace listener does). */
  send(change: WorkspaceChange): Promise<Delivery>;
  /** Stops sending events for changes (they are dropped, as for a paused subscription) until resume. */
  pause(): void;
  resume(): void;
  /** Resolves when every delivery started so far has finished, retries included. */
  flush(): Promise<void>;
  /** Every delivery attempt, in order. */
  readonly deliveries: readonly Delivery[];
  /** Unsubscribes from the workspace. */
  stop(): Promise<void>;
}

const SUBSCRIPTION_ID = "7a1e5c3d-0000-4000-8000-00000000b0b0";
const INTEGRATION_ID = "1d2c3b4a-0000-4000-8000-00000000c0de";
const PERSON_ID = "7f1c7bde-2b1c-4c54-9d0c-5f2f4fa2e0a1";

export function startNotionWebhooks(options: NotionWebhookSenderOptions): NotionWebhookSender {
  const clock = options.clock ?? { now: () => new Date() };
  const maxAttempts = options.maxAttempts ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 500;
  // Obviously not a real Notion token (those start with "secret_").
  const verificationToken = options.verificationToken ?? `local-verify-${randomBytes(16).toString("hex")}`;
  const deliveries: Delivery[] = [];
  const pending = new Set<Promise<unknown>>();
  let paused = false;

  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => undefined);
    return promise;
  };

  async function post(body: string, signed: boolean): Promise<number> {
    try {
      const response = await fetch(options.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "notion-api",
          ...(signed ? { "x-notion-signature": signBody(body, verificationToken) } : {}),
        },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  async function deliver(change: WorkspaceChange): Promise<Delivery> {
    if (options.deliveryDelayMs) await sleep(options.deliveryDelayMs);
    const event = eventOf(change, options.workspace, clock.now());
    let delivery: Delivery | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(retryDelayMs * 2 ** (attempt - 2));
      const status = await post(JSON.stringify({ ...event, attempt_number: attempt }), true);
      delivery = { eventId: event.id, type: event.type, entityId: change.entity.id, attempt, status };
      deliveries.push(delivery);
      if (status >= 200 && status < 300) break;
      // Notion does not retry what the receiver refused as malformed or unauthorised.
      if (status === 400 || status === 401 || status === 404) break;
    }
    return delivery as Delivery;
  }

  const unsubscribe = options.workspace.onChange((change) => {
    if (!paused) void track(deliver(change));
  });

  return {
    verificationToken,
    handshake: () => track(post(JSON.stringify({ verification_token: verificationToken }), false)),
    send: (change) => track(deliver(change)),
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
    },
    async flush() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    deliveries,
    async stop() {
      unsubscribe();
      await Promise.allSettled([...pending]);
    },
  };
}

/** A change as Notion's event payload (without `attempt_number`, set per delivery). */
export function eventOf(change: WorkspaceChange, workspace: NotionWorkspace, now: Date) {
  const data: Record<string, unknown> = { parent: change.parent };
  if (change.updatedBlocks) data.updated_blocks = change.updatedBlocks.map((id) => ({ id, type: "block" }));
  if (change.updatedProperties) data.updated_properties = change.updatedProperties;
  return {
    id: randomUUID(),
    timestamp: now.toISOString(),
    workspace_id: workspace.workspaceId,
    workspace_name: workspace.workspaceName,
    subscription_id: SUBSCRIPTION_ID,
    integration_id: INTEGRATION_ID,
    authors: [{ id: PERSON_ID, type: "person" }],
    api_version: "2025-09-03",
    type: change.type,
    entity: change.entity,
    data,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
