/**
 * Notion OAuth (public integrations, ADR 0016) end to end on the local stack: the real OAuth function
 * behind its local function URL, the Notion stand-in's authorize redirect and token endpoint, the
 * table and the Secrets Manager stand-in. Walked with plain `fetch` and `redirect: "manual"`, as a
 * browser would follow the redirects.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDynamoDbApiKeyStore } from "../../lib/adapters/aws/dynamodb-api-key-store.js";
import { createDynamoDbOAuthStateStore } from "../../lib/adapters/aws/dynamodb-oauth-state-store.js";
import { connectOAuthCommand } from "../../lib/cli/commands/connect-oauth.js";
import type { Connection } from "../../lib/cli/connect.js";
import { LOCAL_NOTION_TOKEN_PREFIX } from "../../lib/cli/local-stack-info.js";
import { registerDocuments } from "../../lib/documents/register.js";
import { newNonce, signState } from "../../lib/oauth/signing.js";
import { newApiKey } from "../../lib/retrieval/api-keys.js";
import { DEMO_PAGES } from "../../local/demo-workspace.js";
import { LOCAL_OAUTH_GRANT, type LocalStack, startLocalStack } from "../../local/stack.js";

let stack: LocalStack;
let stateDir: string;
let connection: Connection;
const functionOutput: string[] = [];
const processOutput: string[] = [];
const cliOutput: string[] = [];
const secretName = (tenant: string) =>
  `${LOCAL_NOTION_TOKEN_PREFIX}${tenant}/${LOCAL_OAUTH_GRANT.workspaceId}`;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "nis-oauth-"));
  // The OAuth function runs in this process: what it logs is captured here.
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, "write").mockImplementation((chunk, ...rest) => {
    // What a CLI command prints is kept apart (and not shown); the rest is the function's logs.
    if (cliCapture !== undefined) {
      cliCapture.push(String(chunk));
      return true;
    }
    processOutput.push(String(chunk));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  });
  stack = await startLocalStack({
    stateDir,
    persist: false,
    writeInfo: false,
    sweepIntervalSeconds: 0,
    webhooks: false,
    query: false,
    logLevel: "INFO",
    onFunctionOutput: (_fn, line) => functionOutput.push(line),
  });
  connection = {
    adapters: stack.adapters,
    local: stack.info,
    defaults: stack.info.defaults,
    queues: { sync: stack.info.syncQueueUrl, index: stack.info.indexQueueUrl },
  };
}, 90_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

let cliCapture: string[] | undefined;

async function startLink(tenant: string): Promise<string> {
  cliCapture = [];
  try {
    await connectOAuthCommand(connection, { tenant, json: true });
  } finally {
    cliOutput.push(...cliCapture);
  }
  const printed = cliCapture.join("");
  cliCapture = undefined;
  return (JSON.parse(printed) as { startUrl: string }).startUrl;
}

async function stateKey(): Promise<string> {
  const { createSecretsManagerClient } = await import("../../lib/adapters/aws/secrets-manager-client.js");
  const { readSecretString } = await import("../../lib/adapters/aws/secrets-manager-store.js");
  const client = createSecretsManagerClient({
    region: "us-east-1",
    endpoint: stack.info.secretsManagerEndpoint,
  });
  try {
    return await readSecretString(client, stack.info.oauthStateKeySecretName ?? "");
  } finally {
    client.destroy();
  }
}

/** start → the stand-in's authorize page → the callback URL it redirects to (not yet fetched). */
async function authorize(startUrl: string, headers: Record<string, string> = {}): Promise<string> {
  const start = await fetch(startUrl, { redirect: "manual", headers });
  expect(start.status, await start.clone().text()).toBe(302);
  const authorizeUrl = new URL(start.headers.get("location") ?? "");
  expect(authorizeUrl.origin).toBe(stack.info.notionBaseUrl);
  expect(authorizeUrl.pathname).toBe("/v1/oauth/authorize");
  expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(`${stack.info.oauthUrl}oauth/callback`);
  const consent = await fetch(authorizeUrl, { redirect: "manual" });
  expect(consent.status).toBe(302);
  return consent.headers.get("location") ?? "";
}

async function callback(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { redirect: "manual" });
  return { status: response.status, text: await response.text() };
}

const binding = (tenant: string) => stack.adapters.store.getBinding(tenant, LOCAL_OAUTH_GRANT.workspaceId);

describe("Notion OAuth on the local stack", () => {
  it("refuses a start without a key or a signed link (401), and a key of another tenant (403)", async () => {
    const bare = await fetch(`${stack.info.oauthUrl}oauth/start?tenant=acme`, { redirect: "manual" });
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { error: string }).error).toMatch(/Authorization: Bearer/);
    const other = newApiKey({ tenantId: "globex", mayConnectNotion: true }, new Date());
    await createDynamoDbApiKeyStore(stack.adapters.dynamodb, stack.info.tableName).create(other.record);
    const foreign = await fetch(`${stack.info.oauthUrl}oauth/start?tenant=acme`, {
      redirect: "manual",
      headers: { authorization: `Bearer ${other.key}` },
    });
    expect(foreign.status).toBe(403);
    const forged = new URL(await startLink("acme"));
    forged.searchParams.set("tenant", "globex");
    expect((await fetch(forged, { redirect: "manual" })).status).toBe(403);
  });

  it("connects a workspace from a start link of `connect --oauth`: binding, secret, and a document indexes", async () => {
    const link = await startLink("acme");
    const done = await callback(await authorize(link));
    expect(done.status, done.text).toBe(200);
    expect(done.text).toContain("is connected to acme");
    const connected = await binding("acme");
    expect(connected).toMatchObject({
      tenantId: "acme",
      workspaceId: LOCAL_OAUTH_GRANT.workspaceId,
      workspaceName: LOCAL_OAUTH_GRANT.workspaceName,
      botId: LOCAL_OAUTH_GRANT.botId,
      connectedBy: "oauth",
      disabled: false,
    });
    expect(connected?.disconnected).toBeUndefined();
    expect(connected?.tokenRef).toContain(secretName("acme"));
    expect(stack.notion?.oauth?.issuedTokens()).toHaveLength(1);

    const [registered] = await registerDocuments(
      { store: stack.adapters.store, syncQueue: stack.adapters.syncQueue, clock: { now: () => new Date() } },
      {
        tenantId: "acme",
        datasetId: "acme-docs",
        workspaceId: LOCAL_OAUTH_GRANT.workspaceId,
        pageIds: [DEMO_PAGES.faq.id],
        embeddingModel: "local-hash-v1",
      },
    );
    await stack.waitForIdle({ timeoutMs: 60_000 });
    const document = await stack.adapters.store.getDocument(registered?.documentId ?? "");
    expect(document?.indexingStatus, document?.error).toBe("completed");
  }, 90_000);

  it("connects with a tenant-wide API key that may connect Notion: the backend reads the 302 without following it", async () => {
    const queryOnly = newApiKey({ tenantId: "initech" }, new Date());
    const own = newApiKey({ tenantId: "initech", mayConnectNotion: true }, new Date());
    const keys = createDynamoDbApiKeyStore(stack.adapters.dynamodb, stack.info.tableName);
    await keys.create(queryOnly.record);
    await keys.create(own.record);
    // A query key alone may not attach a workspace to its tenant.
    const refused = await fetch(`${stack.info.oauthUrl}oauth/start?tenant=initech`, {
      redirect: "manual",
      headers: { authorization: `Bearer ${queryOnly.key}` },
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /apikey create --tenant initech --connect-notion/,
    );
    const url = await authorize(`${stack.info.oauthUrl}oauth/start?tenant=initech`, {
      authorization: `Bearer ${own.key}`,
    });
    expect((await callback(url)).status).toBe(200);
    expect((await binding("initech"))?.connectedBy).toBe("oauth");
  });

  it("Notion's authorize page (the stand-in) refuses a redirect URI the integration did not register", async () => {
    const start = await fetch(await startLink("acme"), { redirect: "manual" });
    const authorizeUrl = new URL(start.headers.get("location") ?? "");
    authorizeUrl.searchParams.set("redirect_uri", "https://attacker.example/oauth/callback");
    const refused = await fetch(authorizeUrl, { redirect: "manual" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/redirect_uri is not registered/);
  });

  it("refuses a replayed state (400) and leaves the binding as it was", async () => {
    const url = await authorize(await startLink("replay"));
    expect((await callback(url)).status).toBe(200);
    const before = await binding("replay");
    const again = await callback(url);
    expect(again.status).toBe(400);
    expect(JSON.parse(again.text).error).toMatch(/used before/);
    expect(await binding("replay")).toEqual(before);
  });

  it("refuses an expired state and another tenant's state, without calling Notion", async () => {
    const key = await stateKey();
    const states = createDynamoDbOAuthStateStore(stack.adapters.dynamodb, stack.info.tableName);
    const requests = stack.notion?.oauth?.tokenRequests();
    const expired = { tenantId: "late", nonce: newNonce(), expiresAt: Math.floor(Date.now() / 1000) - 1 };
    await states.create(expired, new Date().toISOString());
    const late = await callback(
      `${stack.info.oauthUrl}oauth/callback?code=x&state=${signState(expired, key)}`,
    );
    expect(late.status).toBe(400);
    expect(JSON.parse(late.text).error).toMatch(/expired/);

    // A state of A whose tenant part says B: its signature no longer holds.
    const issued = new URL(await authorize(await startLink("alpha")));
    const [payload, signature] = (issued.searchParams.get("state") ?? "").split(".");
    const decoded = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8"));
    const swapped = Buffer.from(JSON.stringify({ ...decoded, t: "beta" })).toString("base64url");
    issued.searchParams.set("state", `${swapped}.${signature}`);
    const forged = await callback(issued.toString());
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.text).error).toMatch(/signature/);

    // A well-signed state of A whose stored nonce belongs to B.
    const mixed = { tenantId: "alpha", nonce: newNonce(), expiresAt: Math.floor(Date.now() / 1000) + 300 };
    await states.create({ ...mixed, tenantId: "beta" }, new Date().toISOString());
    const cross = await callback(
      `${stack.info.oauthUrl}oauth/callback?code=x&state=${signState(mixed, key)}`,
    );
    expect(cross.status).toBe(400);
    expect(JSON.parse(cross.text).error).toMatch(/another tenant/);
    expect(stack.notion?.oauth?.tokenRequests()).toBe(requests);
    expect(await binding("alpha")).toBeUndefined();
    expect(await binding("beta")).toBeUndefined();
  });

  it("a denied consent connects nothing", async () => {
    stack.notion?.oauth?.denyNext();
    const url = await authorize(await startLink("denied"));
    expect(new URL(url).searchParams.get("error")).toBe("access_denied");
    const done = await callback(url);
    expect(done.text).toContain("denied");
    expect(await binding("denied")).toBeUndefined();
    // The state was consumed: the same callback again is a replay.
    expect((await callback(url)).status).toBe(400);
  });

  it("a token exchange error says so in one line: no binding, no secret; a 5xx is retried", async () => {
    stack.notion?.oauth?.failTokenNext("invalid_grant");
    const refused = await callback(await authorize(await startLink("refused")));
    expect(refused.status).toBe(502);
    expect(refused.text).toMatch(/invalid_grant/);
    expect(refused.text.split("\n").length).toBe(1);
    expect(await binding("refused")).toBeUndefined();
    expect(await secretExists(secretName("refused"))).toBe(false);

    const before = stack.notion?.oauth?.tokenRequests() ?? 0;
    stack.notion?.oauth?.failTokenNext(500);
    const retried = await callback(await authorize(await startLink("retried")));
    expect(retried.status, retried.text).toBe(200);
    expect((stack.notion?.oauth?.tokenRequests() ?? 0) - before).toBe(2);

    stack.notion?.oauth?.failTokenNext(500, 3);
    const failed = await callback(await authorize(await startLink("failed")));
    expect(failed.status).toBe(502);
    expect(failed.text).toMatch(/HTTP 500/);
    expect(await binding("failed")).toBeUndefined();
    expect(await secretExists(secretName("failed"))).toBe(false);
  });

  it("a token Notion refuses later disconnects the binding; nothing is deleted; a reconnect heals it", async () => {
    const tenantId = "acme";
    const documents = await stack.adapters.store.listDocuments({ tenantId, datasetId: "acme-docs" });
    const documentId = documents[0]?.documentId ?? "";
    const segmentsBefore = (await stack.adapters.store.listSegments(documentId)).length;
    expect(segmentsBefore).toBeGreaterThan(0);
    const deletesBefore = stack.pinecone?.requestCounts()["POST /vectors/delete"] ?? 0;

    for (const token of stack.notion?.oauth?.issuedTokens() ?? []) stack.notion?.revokeToken(token);
    // Edited in Notion, so that the sync has work to do after the reconnect.
    await stack.adapters.syncQueue.send({ tenantId, datasetId: "acme-docs", documentId });
    await stack.waitForIdle({ timeoutMs: 60_000 });
    const disconnected = await binding(tenantId);
    expect(disconnected?.disconnected?.reason).toMatch(/reconnect Notion/);
    const failed = await stack.adapters.store.getDocument(documentId);
    expect(failed?.indexingStatus).toBe("error");
    expect(failed?.error).toBe(
      `Notion refused the token for workspace ${LOCAL_OAUTH_GRANT.workspaceId}: reconnect Notion`,
    );
    expect((await stack.adapters.store.listSegments(documentId)).length).toBe(segmentsBefore);
    expect(stack.pinecone?.requestCounts()["POST /vectors/delete"] ?? 0).toBe(deletesBefore);

    // A later sync fails fast, without asking Notion.
    stack.notion?.resetCounts();
    await stack.adapters.syncQueue.send({ tenantId, datasetId: "acme-docs", documentId });
    await stack.waitForIdle({ timeoutMs: 60_000 });
    expect(stack.notion?.requestCounts()["GET /v1/pages/:id"] ?? 0).toBe(0);

    const done = await callback(await authorize(await startLink(tenantId)));
    expect(done.status, done.text).toBe(200);
    expect((await binding(tenantId))?.disconnected).toBeUndefined();
    await stack.adapters.syncQueue.send({ tenantId, datasetId: "acme-docs", documentId });
    await stack.waitForIdle({ timeoutMs: 60_000 });
    const healed = await stack.adapters.store.getDocument(documentId);
    expect(healed?.indexingStatus, healed?.error).toBe("completed");
  }, 120_000);

  it("no token, code, client secret or state key appears in the logs or the CLI's output", async () => {
    const key = await stateKey();
    const { createSecretsManagerClient } = await import("../../lib/adapters/aws/secrets-manager-client.js");
    const { readSecretString } = await import("../../lib/adapters/aws/secrets-manager-store.js");
    const client = createSecretsManagerClient({
      region: "us-east-1",
      endpoint: stack.info.secretsManagerEndpoint,
    });
    const oauthClient = JSON.parse(await readSecretString(client, stack.info.oauthClientSecretName ?? ""));
    client.destroy();
    const secrets = [
      key,
      oauthClient.clientSecret as string,
      ...(stack.notion?.oauth?.issuedTokens() ?? []),
      ...(stack.notion?.oauth?.issuedCodes() ?? []),
    ];
    expect(secrets.length).toBeGreaterThan(4);
    const everything = [...functionOutput, ...processOutput, ...cliOutput].join("\n");
    expect(processOutput.join("")).toContain("oauth: Notion connected");
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});

async function secretExists(name: string): Promise<boolean> {
  const { createSecretsManagerClient } = await import("../../lib/adapters/aws/secrets-manager-client.js");
  const { describeSecret } = await import("../../lib/adapters/aws/secret-admin.js");
  const client = createSecretsManagerClient({
    region: "us-east-1",
    endpoint: stack.info.secretsManagerEndpoint,
  });
  try {
    await describeSecret(client, name);
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}
