/**
 * The webhook's real handler against the harness's stand-ins (dynalite, fauxqs, the Notion
 * stand-in) and a Secrets Manager stand-in for the verification tokens. Requests go in as the
 * Lambda function URL events the deployed function receives.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createWebhookAdapters, webhookOptionsFrom } from "../../functions/webhook/adapters.js";
import { webhookTokenSecretName } from "../../lib/adapters/aws/webhook-token-store.js";
import { loadWebhookConfig } from "../../lib/composition/webhook-config.js";
import { createFunctionUrlHandler } from "../../lib/http/function-url-event.js";
import { createWebhookRequestHandler, WEBHOOK_FAILURE } from "../../lib/webhooks/handle-request.js";
import { newPathSecret } from "../../lib/webhooks/path-secret.js";
import { signBody } from "../../lib/webhooks/signature.js";
import { webhookPath } from "../../lib/webhooks/webhook-path.js";
import { eventOf } from "../../local/notion-webhooks.js";
import type { WorkspaceChange } from "../../local/notion-workspace.js";
import { startHarness, TENANT, WORKSPACE } from "./harness.js";

/** Obviously fake, but distinctive enough to search logs for. */
export const WEBHOOK_TOKEN = "fake-webhook-verification-token-0a1b2c3d";
export const TOKEN_PREFIX = "test/webhook/";
/** A Notion workspace id that is not the binding's. */
export const OTHER_NOTION_WORKSPACE = "99999999-0000-4000-8000-000000000bad";

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export async function startWebhookHarness() {
  const harness = await startHarness();
  const { secretsManager } = harness;
  // The binding's webhook URL, as `webhook url` creates it.
  const pathSecret = newPathSecret();
  const binding = await harness.store.getBinding(TENANT, WORKSPACE);
  if (!binding) throw new Error("the harness has no binding");
  await harness.store.putBinding({ ...binding, webhookPathSecret: pathSecret });
  const config = loadWebhookConfig({
    ...harness.env,
    WEBHOOK_TOKEN_SECRET_PREFIX: TOKEN_PREFIX,
  });
  const adapters = createWebhookAdapters(config);
  const ports = { ...adapters, clock: harness.clock, log: harness.syncPorts.log };
  const options = webhookOptionsFrom(config);
  /** One handler per debounce: 0 makes the sync message visible at once, for tests that run it. */
  const handlers = new Map<number, ReturnType<typeof createFunctionUrlHandler>>();
  const handlerFor = (debounceSeconds: number) => {
    let handler = handlers.get(debounceSeconds);
    if (!handler) {
      handler = createFunctionUrlHandler(
        createWebhookRequestHandler(ports, { ...options, debounceSeconds }),
        ports.log,
        WEBHOOK_FAILURE,
      );
      handlers.set(debounceSeconds, handler);
    }
    return handler;
  };

  const webhook = {
    harness,
    secretsManager,
    webhooks: adapters.webhooks,
    debounceSeconds: options.debounceSeconds,
    pathSecret,
    path: webhookPath({ tenantId: TENANT, workspaceId: WORKSPACE, pathSecret }),

    /** POSTs a body as a function URL would deliver it. */
    async post(
      body: string,
      headers: Record<string, string> = {},
      options: { path?: string; debounceSeconds?: number; method?: string } = {},
    ): Promise<Reply> {
      const event = functionUrlEvent(options.path ?? webhook.path, body, headers, options.method ?? "POST");
      const result = await handlerFor(options.debounceSeconds ?? 0)(event);
      return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? "{}") };
    },

    handshake(token = WEBHOOK_TOKEN, path?: string): Promise<Reply> {
      return webhook.post(JSON.stringify({ verification_token: token }), {}, { path });
    },

    /** The event Notion sends for a change of the harness's workspace, stamped with the test clock. */
    event(change: WorkspaceChange, overrides: Record<string, unknown> = {}) {
      return { ...eventOf(change, harness.workspace, harness.clock.now()), attempt_number: 1, ...overrides };
    },

    pageChange(type: string, pageId: string, parent?: WorkspaceChange["parent"]): WorkspaceChange {
      return {
        type,
        entity: { id: pageId, type: "page" },
        parent: parent ?? { id: harness.workspace.workspaceId, type: "space" },
      };
    },

    /** Signs and sends an event body. */
    send(event: unknown, options: { token?: string; debounceSeconds?: number } = {}): Promise<Reply> {
      const body = typeof event === "string" ? event : JSON.stringify(event);
      return webhook.post(
        body,
        { "x-notion-signature": signBody(body, options.token ?? WEBHOOK_TOKEN) },
        { debounceSeconds: options.debounceSeconds },
      );
    },

    storedToken(tenantId = TENANT, workspaceId = WORKSPACE): string | undefined {
      return secretsManager.secret(webhookTokenSecretName(TOKEN_PREFIX, tenantId, workspaceId))?.value;
    },

    /** Every message on the sync queue, delayed ones included. */
    async syncQueueCount(): Promise<number> {
      const depth = await harness.queueDepth(harness.queues.syncQueue.queueUrl);
      return depth.visible + depth.inFlight + depth.delayed;
    },

    async close() {
      await harness.close();
    },
  };
  return webhook;
}

export type WebhookHarness = Awaited<ReturnType<typeof startWebhookHarness>>;

function functionUrlEvent(
  path: string,
  body: string,
  headers: Record<string, string>,
  method: string,
): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json", "user-agent": "notion-api", ...headers },
    requestContext: {
      accountId: "anonymous",
      apiId: "test",
      domainName: "test.lambda-url.us-east-1.on.aws",
      domainPrefix: "test",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "notion-api" },
      requestId: `request-${now}`,
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    // Function URLs base64-encode bodies; the handler must restore the exact bytes.
    body: Buffer.from(body, "utf8").toString("base64"),
    isBase64Encoded: true,
  };
}
