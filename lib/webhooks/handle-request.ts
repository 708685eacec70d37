/**
 * The webhook endpoint's work for one HTTP request, whatever carries it (a Lambda function URL, the
 * local stack's HTTP server). It answers fast and never calls Notion or syncs by itself: it turns an
 * event into delayed unit sync messages, at most one per document per debounce window, and the
 * sync function does the rest (lib/sync/sync-document.ts).
 *
 * Order of checks, and why:
 * 1. the path names a binding that exists and is enabled, with that binding's path secret (404
 *    otherwise, the same answer for each: nothing is created for made-up tenants, and whoever does
 *    not know the URL cannot send the unsigned handshake, nor pin the binding's workspace);
 * 2. an unsigned body may only be the handshake; everything else must carry a valid signature
 *    (401), checked before the body is parsed, so unauthenticated callers learn nothing about it;
 * 3. a signed body that is not an event → 400 with the reason;
 * 4. a timestamp outside the replay window, or a delivery attempt seen before → 401;
 * 5. an event of another Notion workspace than the binding's, or for no registered page → ignored (200).
 *
 * A page created or moved inside a dataset's followed scope is registered first
 * (lib/webhooks/discover-from-event.ts), then synced like any registered page.
 */

import type {
  Clock,
  DocumentStore,
  Log,
  MessagePublisher,
  PageIndexEntry,
  ParentIndex,
  WebhookStore,
  WebhookTokenStore,
} from "../core/ports.js";
import type { HttpRequest, HttpResponse } from "../http/function-url-event.js";
import { FOREIGN_WORKSPACE_ALERT } from "../shared/alerts.js";
import { PermanentError } from "../shared/errors.js";
import { discoverFromEvent } from "./discover-from-event.js";
import { targetsOf } from "./event-targets.js";
import { MalformedBodyError, type NotionWebhookEvent, parseWebhookBody, type WebhookBody } from "./events.js";
import { pathSecretMatches } from "./path-secret.js";
import { outsideReplayWindow, type ReplayWindow } from "./replay-window.js";
import { SIGNATURE_HEADER, signatureMatches } from "./signature.js";
import { type BindingPath, parseWebhookPath } from "./webhook-path.js";
import { expectedWorkspaceId } from "./workspace-check.js";

export interface WebhookPorts {
  store: Pick<
    DocumentStore,
    "getBinding" | "putBinding" | "getDataset" | "createDocument" | "getTenant" | "countDocuments"
  >;
  webhooks: WebhookStore;
  /** Where objects sit: new pages are placed in it, and followed scopes decided on it. */
  parents: ParentIndex;
  tokens: WebhookTokenStore;
  syncQueue: MessagePublisher;
  clock: Clock;
  log: Log;
}

export interface WebhookOptions {
  /** Delay of the unit sync an event enqueues; later events for the document inside it add nothing. */
  debounceSeconds: number;
  replayWindow: ReplayWindow;
  /** Larger bodies are refused (Notion's events are a few hundred bytes). */
  maxBodyBytes: number;
}

/** What the function URL hands over: the body's raw bytes, since the signature is over them. */
export type WebhookRequest = HttpRequest;

export interface WebhookResponse extends HttpResponse {
  body: Record<string, unknown>;
}

/** A failure the handler did not answer itself: Notion retries the event on a 5xx. */
export const WEBHOOK_FAILURE = {
  message: "webhook request failed; Notion will retry it",
  body: { error: "internal error" },
};

/** SQS delays a message by at most 15 minutes. */
const MAX_DEBOUNCE_SECONDS = 900;

export function validateWebhookOptions(options: WebhookOptions): WebhookOptions {
  const problems: string[] = [];
  const { debounceSeconds, replayWindow, maxBodyBytes } = options;
  if (!Number.isInteger(debounceSeconds) || debounceSeconds < 0 || debounceSeconds > MAX_DEBOUNCE_SECONDS) {
    problems.push(
      `debounceSeconds must be an integer from 0 to ${MAX_DEBOUNCE_SECONDS}, got ${debounceSeconds}`,
    );
  }
  if (!(replayWindow.maxAgeSeconds > 0)) problems.push("replayWindow.maxAgeSeconds must be positive");
  if (!(replayWindow.maxSkewSeconds >= 0)) problems.push("replayWindow.maxSkewSeconds must be 0 or more");
  if (!(maxBodyBytes > 0)) problems.push("maxBodyBytes must be positive");
  if (problems.length > 0) throw new RangeError(problems.join("; "));
  return options;
}

const reply = (status: number, body: Record<string, unknown>): WebhookResponse => ({ status, body });
const refuse = (status: number, reason: string) => reply(status, { error: reason });

export function createWebhookRequestHandler(ports: WebhookPorts, options: WebhookOptions) {
  validateWebhookOptions(options);

  return async function handleWebhookRequest(request: WebhookRequest): Promise<WebhookResponse> {
    if (request.method.toUpperCase() !== "POST") return refuse(405, "only POST is accepted");
    const path = parseWebhookPath(request.path);
    if (!path) return refuse(404, "no such webhook");
    if (request.body.length > options.maxBodyBytes) {
      return refuse(413, `body is larger than ${options.maxBodyBytes} bytes`);
    }
    const binding = await ports.store.getBinding(path.tenantId, path.workspaceId);
    if (!binding || binding.disabled || !pathSecretMatches(binding.webhookPathSecret, path.pathSecret)) {
      return refuse(404, "no such webhook");
    }

    const rawBody = request.body.toString("utf8");
    const signature = request.headers[SIGNATURE_HEADER];
    if (signature === undefined) {
      // Notion does not sign the handshake: it is the one body accepted without a signature.
      const handshake = tryHandshake(rawBody);
      if (!handshake) return refuse(401, `missing ${SIGNATURE_HEADER} header`);
      return storeVerificationToken(ports, binding, handshake.verificationToken);
    }
    const token = await ports.tokens.getToken(path.tenantId, path.workspaceId);
    if (token === undefined) {
      return refuse(
        401,
        "no verification token is stored for this webhook yet: complete the handshake first",
      );
    }
    if (!signatureMatches(request.body, token, signature)) return refuse(401, "signature does not match");

    let body: WebhookBody;
    try {
      body = parseWebhookBody(rawBody);
    } catch (error) {
      if (error instanceof MalformedBodyError) return refuse(400, error.message);
      throw error;
    }
    if (body.kind === "handshake") return storeVerificationToken(ports, binding, body.verificationToken);
    return handleEvent(ports, options, binding, body.event);
  };
}

function tryHandshake(rawBody: string): { verificationToken: string } | undefined {
  try {
    const body = parseWebhookBody(rawBody);
    return body.kind === "handshake" ? body : undefined;
  } catch {
    return undefined;
  }
}

type Binding = NonNullable<Awaited<ReturnType<DocumentStore["getBinding"]>>>;

/**
 * The handshake is unsigned, so anyone who knows the URL can send one. The token is therefore stored
 * only when the binding has none yet (an atomic create), or when the operator armed a reset with the
 * CLI: an attacker can never overwrite a live token and so take over the signing key. The token is
 * never logged; the operator prints it with `webhook token`.
 */
async function storeVerificationToken(
  ports: WebhookPorts,
  binding: Binding,
  token: string,
): Promise<WebhookResponse> {
  const who = { tenantId: binding.tenantId, workspaceId: binding.workspaceId };
  const hint = `notion-index-sync webhook token --tenant ${binding.tenantId} --workspace ${binding.workspaceId}`;
  if (await ports.tokens.createToken(binding.tenantId, binding.workspaceId, token)) {
    ports.log.info(`webhook verification token received and stored; print it with \`${hint}\``, who);
    return reply(200, { ok: true });
  }
  const now = ports.clock.now().toISOString();
  if (binding.webhookTokenResetUntil !== undefined && binding.webhookTokenResetUntil > now) {
    await ports.tokens.replaceToken(binding.tenantId, binding.workspaceId, token);
    await ports.store.putBinding({ ...binding, webhookTokenResetUntil: undefined });
    ports.log.info(`webhook verification token replaced (reset armed); print it with \`${hint}\``, who);
    return reply(200, { ok: true });
  }
  ports.log.warn("webhook handshake refused: the binding already has a verification token", who);
  return refuse(
    409,
    "a verification token is already stored for this webhook; arm a reset with `notion-index-sync webhook reset` to accept a new one",
  );
}

async function handleEvent(
  ports: WebhookPorts,
  options: WebhookOptions,
  binding: Binding,
  event: NotionWebhookEvent,
): Promise<WebhookResponse> {
  const now = ports.clock.now();
  const stale = outsideReplayWindow(event.timestamp, now, options.replayWindow);
  if (stale) return refuse(401, stale);

  const bindingKey: BindingPath = { tenantId: binding.tenantId, workspaceId: binding.workspaceId };
  const seen = await ports.webhooks.recordEventAttempt(
    bindingKey,
    event.id,
    event.attempt_number,
    now.toISOString(),
  );
  if (seen === "replay") return refuse(401, "this delivery was received before (replay)");
  if (seen === "duplicate") return reply(200, { ok: true, duplicate: true });
  const about = {
    ...bindingKey,
    eventId: event.id,
    type: event.type,
    entity: event.entity,
    attempt: event.attempt_number,
  };

  const expected = expectedWorkspaceId(binding);
  if (expected === undefined) {
    // The binding's id is our own label: the first verified event tells us Notion's id (it was
    // signed with this binding's token, so it comes from this binding's subscription).
    await ports.store.putBinding({ ...binding, notionWorkspaceId: event.workspace_id });
    ports.log.info("webhook: pinned the binding's Notion workspace id", {
      ...bindingKey,
      notionWorkspaceId: event.workspace_id,
    });
  } else if (expected !== event.workspace_id) {
    // Counted by the stack's WebhookForeignWorkspaceEvents alarm (infra/alarms.ts): after a lost
    // or wrong pin every real event lands here, and near-real-time sync is silently dead.
    ports.log.warn("webhook event of another Notion workspace ignored", {
      ...about,
      alert: FOREIGN_WORKSPACE_ALERT,
      eventWorkspaceId: event.workspace_id,
      expectedWorkspaceId: expected,
    });
    await ports.webhooks.markEventHandled(bindingKey, event.id);
    return reply(200, { ok: true, ignored: "event of another workspace" });
  }

  const discovered = await discoverFromEvent(ports, binding, event);
  const documents = await documentsFor(ports, binding, event);
  let enqueued = 0;
  const until = new Date(now.getTime() + options.debounceSeconds * 1000).toISOString();
  for (const { entry, recheck } of documents) {
    // Only the event that opens the window enqueues: a burst for one page becomes one sync, which
    // reads Notion when the window closes and so sees every edit of the burst.
    if (!(await ports.webhooks.claimPendingSync(entry.documentId, now.toISOString(), until))) continue;
    const message = { tenantId: entry.tenantId, datasetId: entry.datasetId, documentId: entry.documentId };
    await ports.syncQueue.send(recheck ? { ...message, recheck: true } : message, {
      delaySeconds: options.debounceSeconds,
    });
    enqueued += 1;
  }
  await ports.webhooks.markEventHandled(bindingKey, event.id);
  // Logged once per event id: later attempts are duplicates and replays are refused above.
  ports.log.info("webhook event", { ...about, documents: documents.length, enqueued, discovered });
  return reply(200, {
    ok: true,
    documents: documents.length,
    enqueued,
    ...(discovered > 0 ? { discovered } : {}),
    ...(documents.length === 0 ? { ignored: "no registered document" } : {}),
  });
}

/** The registered documents the event may concern, each once (a database's with a content recheck). */
async function documentsFor(
  ports: WebhookPorts,
  binding: Binding,
  event: NotionWebhookEvent,
): Promise<{ entry: PageIndexEntry; recheck: boolean }[]> {
  const found = new Map<string, { entry: PageIndexEntry; recheck: boolean }>();
  for (const target of targetsOf(event)) {
    const entries = await ports.webhooks.findDocumentsByPage(
      binding.tenantId,
      binding.workspaceId,
      target.pageId,
    );
    for (const entry of entries) {
      // The index key holds the tenant; checked again so no change elsewhere can cross tenants.
      if (entry.tenantId !== binding.tenantId) {
        throw new PermanentError(`page index entry of tenant ${entry.tenantId} under ${binding.tenantId}`);
      }
      const previous = found.get(entry.documentId);
      found.set(entry.documentId, { entry, recheck: target.recheck || previous?.recheck === true });
    }
  }
  return [...found.values()];
}
