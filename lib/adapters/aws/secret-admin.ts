/**
 * Writing secrets: the CLI (`connect`), and the OAuth function (a token it was granted); the other
 * functions only read them. Errors name the secret, never its value.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { secretsManagerError } from "./secrets-manager-errors.js";

export interface SecretIdentity {
  arn: string;
  name: string;
}

export interface SaveSecretRequest {
  name: string;
  value: string;
  description: string;
  tags: Record<string, string>;
}

/** Creates the secret, or stores a new value in it when it exists (reconnecting a workspace). */
export async function saveSecretString(
  client: SecretsManagerClient,
  request: SaveSecretRequest,
): Promise<SecretIdentity & { created: boolean }> {
  try {
    const created = await client.send(
      new CreateSecretCommand({
        Name: request.name,
        SecretString: request.value,
        Description: request.description,
        // Tags need secretsmanager:TagResource too: none are sent when there are none.
        ...(Object.keys(request.tags).length === 0
          ? {}
          : { Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })) }),
      }),
    );
    return { arn: created.ARN ?? request.name, name: created.Name ?? request.name, created: true };
  } catch (error) {
    if (!(error instanceof Error) || error.name !== "ResourceExistsException") {
      throw secretsManagerError(request.name, error);
    }
  }
  try {
    const updated = await client.send(
      new PutSecretValueCommand({ SecretId: request.name, SecretString: request.value }),
    );
    return { arn: updated.ARN ?? request.name, name: updated.Name ?? request.name, created: false };
  } catch (error) {
    throw secretsManagerError(request.name, error);
  }
}

/** The ARN and name of an existing secret (its value is not read). */
export async function describeSecret(
  client: SecretsManagerClient,
  secretId: string,
): Promise<SecretIdentity> {
  try {
    const found = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { arn: found.ARN ?? secretId, name: found.Name ?? secretId };
  } catch (error) {
    throw secretsManagerError(secretId, error);
  }
}
