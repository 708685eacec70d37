/**
 * The Secrets Manager client, built the way the other AWS clients are: the default credential
 * chain in AWS, any credentials for a local stand-in (`SECRETS_MANAGER_ENDPOINT`).
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { awsClientOptions } from "./aws-clients.js";

export interface SecretsManagerClientOptions {
  region?: string;
  /** A stand-in's URL (tests); unset in AWS. */
  endpoint?: string;
}

export function createSecretsManagerClient(options: SecretsManagerClientOptions = {}): SecretsManagerClient {
  return new SecretsManagerClient(awsClientOptions(options.region, options.endpoint));
}

/** Client options from an environment: AWS_REGION and SECRETS_MANAGER_ENDPOINT. */
export function secretsManagerClientOptions(
  env: Record<string, string | undefined>,
): SecretsManagerClientOptions {
  return {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    endpoint: env.SECRETS_MANAGER_ENDPOINT || undefined,
  };
}
