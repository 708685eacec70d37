/**
 * Secrets through the real Secrets Manager client against the stand-in: binding tokens resolved by
 * reference with a cache, cold-start resolution of `*_SECRET_NAME` / `*_SECRET_ARN`, and failures
 * that name the secret but never carry its value.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSecretEnvironment } from "../../lib/adapters/aws/resolve-environment.js";
import { saveSecretString } from "../../lib/adapters/aws/secret-admin.js";
import { createSecretStore } from "../../lib/adapters/aws/secret-store.js";
import { createSecretsManagerClient } from "../../lib/adapters/aws/secrets-manager-client.js";
import { createSecretsManagerStore } from "../../lib/adapters/aws/secrets-manager-store.js";
import type { Document } from "../../lib/core/model.js";
import { openNotionFor } from "../../lib/core/notion-access.js";
import type { DocumentStore, NotionConnector } from "../../lib/core/ports.js";
import { ConfigError, NotionAuthError, PermanentError } from "../../lib/shared/errors.js";
import { type SecretsManagerStandIn, startSecretsManagerServer } from "../../local/secrets-manager-server.js";

const PREFIX = "notion-index-sync/Test/notion/";
const TOKEN = "secret_notion-token-value-123";
const PINECONE_KEY = "pcsk_pinecone-key-value-456";

let sm: SecretsManagerStandIn;
const client = () => createSecretsManagerClient({ region: "us-east-1", endpoint: sm.url });

beforeAll(async () => {
  sm = await startSecretsManagerServer({
    secrets: {
      [`${PREFIX}acme/ws-1`]: TOKEN,
      "notion-index-sync/pinecone-api-key": PINECONE_KEY,
      "someone-else/token": "not-ours",
    },
    // As the functions' role: the Pinecone key and this stack's Notion prefix only.
    canRead: (name) => name === "notion-index-sync/pinecone-api-key" || name.startsWith(PREFIX),
  });
});
afterAll(() => sm.close());

describe("Secrets Manager secret store", () => {
  it("reads by name or ARN, and one request serves every reader within the TTL", async () => {
    let now = 0;
    const store = createSecretsManagerStore(client(), { ttlMs: 1000, now: () => now });
    const ref = `secretsmanager:${PREFIX}acme/ws-1`;
    const before = sm.requestCounts().GetSecretValue ?? 0;
    expect(await Promise.all([store.getSecret(ref), store.getSecret(ref), store.getSecret(ref)])).toEqual([
      TOKEN,
      TOKEN,
      TOKEN,
    ]);
    expect(await store.getSecret(ref)).toBe(TOKEN);
    expect((sm.requestCounts().GetSecretValue ?? 0) - before).toBe(1);

    // A reconnect stores a new value; it is picked up once the cached one expires.
    await saveSecretString(client(), {
      name: `${PREFIX}acme/ws-1`,
      value: "rotated",
      description: "",
      tags: {},
    });
    expect(await store.getSecret(ref)).toBe(TOKEN);
    now = 1001;
    expect(await store.getSecret(ref)).toBe("rotated");
    await saveSecretString(client(), { name: `${PREFIX}acme/ws-1`, value: TOKEN, description: "", tags: {} });

    const arn = sm.secret(`${PREFIX}acme/ws-1`)?.arn as string;
    expect(await createSecretsManagerStore(client()).getSecret(`secretsmanager:${arn}`)).toBe(TOKEN);
  });

  it("answers a missing secret or one outside the role's reach with a PermanentError naming the secret", async () => {
    const store = createSecretsManagerStore(client());
    const missing = store.getSecret(`secretsmanager:${PREFIX}acme/none`);
    await expect(missing).rejects.toThrow(PermanentError);
    await expect(missing).rejects.toThrow(`secret ${PREFIX}acme/none does not exist`);
    const denied = store.getSecret("secretsmanager:someone-else/token");
    await expect(denied).rejects.toThrow(PermanentError);
    await expect(denied).rejects.toThrow(/someone-else\/token may not be read by this role/);
  });

  it("does not cache a failure", async () => {
    const store = createSecretsManagerStore(client());
    const name = `${PREFIX}late/ws`;
    await expect(store.getSecret(`secretsmanager:${name}`)).rejects.toThrow(PermanentError);
    await saveSecretString(client(), { name, value: "now-there", description: "", tags: {} });
    expect(await store.getSecret(`secretsmanager:${name}`)).toBe("now-there");
  });
});

describe("the adapters' secret store", () => {
  it("reads secretsmanager: references, building the client once and only when needed", async () => {
    let built = 0;
    const store = createSecretStore({
      secretsManager: () => {
        built += 1;
        return client();
      },
    });
    expect(built).toBe(0);
    expect(await store.getSecret(`secretsmanager:${PREFIX}acme/ws-1`)).toBe(TOKEN);
    expect(await store.getSecret(`secretsmanager:${PREFIX}acme/ws-1`)).toBe(TOKEN);
    expect(built).toBe(1);
    await expect(store.getSecret("vault:x")).rejects.toThrow(PermanentError);
  });

  it("refuses an env: reference with a one-line permanent reason, and reads no environment variable", async () => {
    process.env.NIS_TEST_ENV_SECRET = "value-that-must-not-be-returned";
    try {
      const store = createSecretStore({ secretsManager: client });
      const reading = store.getSecret("env:NIS_TEST_ENV_SECRET");
      await expect(reading).rejects.toThrow(PermanentError);
      const reason = await reading.catch((error: Error) => error.message);
      expect(reason).toMatch(/names an environment variable: tokens are read from Secrets Manager only/);
      expect(reason).not.toContain("\n");
      expect(reason).not.toContain("value-that-must-not-be-returned");
    } finally {
      delete process.env.NIS_TEST_ENV_SECRET;
    }
  });

  it("turns an unreadable token into 'reconnect Notion' for the document's tenant", async () => {
    const store: Pick<DocumentStore, "getBinding"> = {
      async getBinding(tenantId, workspaceId) {
        return {
          tenantId,
          workspaceId,
          provider: "notion",
          tokenRef: `secretsmanager:${PREFIX}gone/ws`,
          disabled: false,
        };
      },
    };
    const notion: NotionConnector = {
      open() {
        throw new Error("must not be reached");
      },
    };
    const document = { tenantId: "gone", dataSourceInfo: { workspaceId: "ws" } } as Document;
    const secrets = createSecretStore({ secretsManager: client });
    const opening = openNotionFor({ store: store as DocumentStore, secrets, notion }, document);
    await expect(opening).rejects.toThrow(NotionAuthError);
    await expect(opening).rejects.toThrow(/does not exist\): reconnect Notion/);
  });
});

describe("cold-start resolution of secret settings", () => {
  const env = () => ({ AWS_REGION: "us-east-1", SECRETS_MANAGER_ENDPOINT: sm.url, TABLE_NAME: "t" });

  it("reads NAME from NAME_SECRET_NAME or NAME_SECRET_ARN into a copy, leaving process.env alone", async () => {
    const arn = sm.secret("notion-index-sync/pinecone-api-key")?.arn as string;
    const byName = await resolveSecretEnvironment({
      ...env(),
      PINECONE_API_KEY_SECRET_NAME: "notion-index-sync/pinecone-api-key",
    });
    expect(byName.PINECONE_API_KEY).toBe(PINECONE_KEY);
    const byArn = await resolveSecretEnvironment({ ...env(), PINECONE_API_KEY_SECRET_ARN: arn });
    expect(byArn.PINECONE_API_KEY).toBe(PINECONE_KEY);
    expect(process.env.PINECONE_API_KEY).not.toBe(PINECONE_KEY);
  });

  it("lets the reference win over a plain value of the same name", async () => {
    const resolved = await resolveSecretEnvironment({
      ...env(),
      PINECONE_API_KEY: "a-key-from-the-shell",
      PINECONE_API_KEY_SECRET_NAME: "notion-index-sync/pinecone-api-key",
    });
    expect(resolved.PINECONE_API_KEY).toBe(PINECONE_KEY);
  });

  it("reads nothing, and needs no AWS, without references", async () => {
    const plain = { TABLE_NAME: "t", PINECONE_API_KEY: "plain" };
    const resolved = await resolveSecretEnvironment(plain, () => Promise.reject(new Error("no AWS here")));
    expect(resolved).toEqual(plain);
  });

  it("fails with a ConfigError naming the setting and the secret, never a value", async () => {
    const failing = resolveSecretEnvironment({
      ...env(),
      PINECONE_API_KEY_SECRET_NAME: "notion-index-sync/pinecone-api-key",
      OPENAI_API_KEY_SECRET_NAME: "someone-else/token",
    });
    await expect(failing).rejects.toThrow(ConfigError);
    await expect(failing).rejects.toThrow(
      "invalid configuration: OPENAI_API_KEY_SECRET_NAME: secret someone-else/token may not be read by this role",
    );
    await expect(failing).rejects.not.toThrow(/not-ours|pcsk_/);
  });

  it("refuses both forms for one variable", async () => {
    await expect(
      resolveSecretEnvironment({ ...env(), X_KEY_SECRET_NAME: "a", X_KEY_SECRET_ARN: "b" }),
    ).rejects.toThrow("X_KEY_SECRET_NAME and X_KEY_SECRET_ARN: set one, not both");
  });
});
