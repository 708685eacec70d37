/**
 * A small Secrets Manager stand-in for tests: speaks the AWS JSON 1.1 protocol the real
 * `@aws-sdk/client-secrets-manager` uses (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`), on
 * 127.0.0.1. It knows the operations this project calls: CreateSecret, PutSecretValue,
 * GetSecretValue and DescribeSecret. A secret is found by name, full ARN or partial ARN (the ARN
 * without its random six-character suffix), as in AWS.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./json-http.js";

export interface SecretsManagerServerOptions {
  region?: string;
  accountId?: string;
  /** Secrets present at start: name → string value. */
  secrets?: Record<string, string>;
  /**
   * Stands in for IAM: a read (GetSecretValue) of a secret for which this returns false is answered
   * AccessDeniedException, as a role without access to that secret would be.
   */
  canRead?: (name: string) => boolean;
}

export interface StoredSecret {
  name: string;
  arn: string;
  value: string;
  versions: number;
  tags: Record<string, string>;
  description: string | undefined;
}

export interface SecretsManagerStandIn {
  url: string;
  region: string;
  /** The stored secret by name, for assertions. */
  secret(name: string): StoredSecret | undefined;
  /** Stores (or replaces) a secret as an operator would have, and returns its reference for a binding. */
  put(name: string, value: string): string;
  /** Requests received per operation, e.g. `GetSecretValue`. */
  requestCounts(): Record<string, number>;
  close(): Promise<void>;
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const NOT_FOUND = () =>
  new ServiceError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export async function startSecretsManagerServer(
  options: SecretsManagerServerOptions = {},
): Promise<SecretsManagerStandIn> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const secrets = new Map<string, StoredSecret>();
  const counts: Record<string, number> = {};

  const arnPrefix = `arn:aws:secretsmanager:${region}:${accountId}:secret:`;
  const store = (name: string, value: string, tags: Record<string, string>, description?: string) => {
    const suffix = randomBytes(4).toString("base64url").slice(0, 6);
    const secret = { name, arn: `${arnPrefix}${name}-${suffix}`, value, versions: 1, tags, description };
    secrets.set(name, secret);
    return secret;
  };
  for (const [name, value] of Object.entries(options.secrets ?? {})) store(name, value, {});

  /** By name, full ARN or partial ARN. */
  const find = (secretId: unknown): StoredSecret => {
    if (typeof secretId !== "string" || secretId === "") {
      throw new ServiceError("InvalidParameterException", "SecretId is required.");
    }
    const byName = secrets.get(secretId);
    if (byName) return byName;
    for (const secret of secrets.values()) {
      if (secret.arn === secretId || `${arnPrefix}${secret.name}` === secretId) return secret;
    }
    throw NOT_FOUND();
  };

  const operations: Record<string, (request: Record<string, unknown>) => unknown> = {
    CreateSecret(request) {
      const name = request.Name;
      if (typeof name !== "string" || !SECRET_NAME.test(name)) {
        throw new ServiceError(
          "InvalidParameterException",
          "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
        );
      }
      if (secrets.has(name)) {
        throw new ServiceError(
          "ResourceExistsException",
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      const tags = Object.fromEntries(
        ((request.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((tag) => [
          tag.Key,
          tag.Value,
        ]),
      );
      const secret = store(name, stringValue(request), tags, request.Description as string | undefined);
      return { ARN: secret.arn, Name: secret.name, VersionId: `v${secret.versions}` };
    },
    PutSecretValue(request) {
      const secret = find(request.SecretId);
      secret.value = stringValue(request);
      secret.versions += 1;
      return { ARN: secret.arn, Name: secret.name, VersionId: `v${secret.versions}` };
    },
    GetSecretValue(request) {
      const secret = find(request.SecretId);
      if (options.canRead && !options.canRead(secret.name)) {
        throw new ServiceError(
          "AccessDeniedException",
          `User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secret.arn}`,
        );
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        SecretString: secret.value,
        VersionId: `v${secret.versions}`,
        VersionStages: ["AWSCURRENT"],
        CreatedDate: Date.now() / 1000,
      };
    },
    DescribeSecret(request) {
      const secret = find(request.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        Description: secret.description,
        Tags: Object.entries(secret.tags).map(([Key, Value]) => ({ Key, Value })),
      };
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("secretsmanager.") ? target.slice("secretsmanager.".length) : "";
    counts[operation || "unknown"] = (counts[operation || "unknown"] ?? 0) + 1;
    try {
      const run = operations[operation];
      if (!run) throw new ServiceError("UnknownOperationException", `Unknown operation ${target}`);
      send(res, 200, run(await readJson(req)));
    } catch (error) {
      const failure =
        error instanceof ServiceError ? error : new ServiceError("InternalServiceError", String(error));
      const status = failure.type === "InternalServiceError" ? 500 : 400;
      send(res, status, { __type: failure.type, message: failure.message }, failure.type);
    }
  }

  const server = await listenOnLoopback(createServer((req, res) => void handle(req, res)));

  return {
    url: server.origin,
    region,
    secret: (name) => secrets.get(name),
    put: (name, value) => `secretsmanager:${store(name, value, {}).name}`,
    requestCounts: () => ({ ...counts }),
    close: server.close,
  };
}

function stringValue(request: Record<string, unknown>): string {
  if (typeof request.SecretString !== "string" || request.SecretString === "") {
    throw new ServiceError(
      "InvalidParameterException",
      "SecretString is required (this stand-in keeps strings only).",
    );
  }
  return request.SecretString;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    const parsed: unknown = text === "" ? {} : JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // answered below
  }
  throw new ServiceError("SerializationException", "The request body is not a JSON object.");
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(text),
    ...(errorType ? { "x-amzn-errortype": errorType } : {}),
  });
  res.end(text);
}
