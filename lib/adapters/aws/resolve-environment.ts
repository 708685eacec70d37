/**
 * Cold-start secret resolution: for every `<NAME>_SECRET_ARN` or `<NAME>_SECRET_NAME` in the
 * environment, NAME is read from Secrets Manager (e.g. PINECONE_API_KEY_SECRET_NAME → PINECONE_API_KEY,
 * OPENAI_API_KEY_SECRET_ARN → OPENAI_API_KEY). The values go into a copy of the environment that
 * only the configuration sees: never into process.env, never into a log line.
 *
 * A reference wins over a plain value of the same name, so a deployed stack's key is the one used
 * even when the caller's shell has another. Without references nothing is read: the local stack
 * and the CLI keep working from plain environment values.
 */
import { ConfigError } from "../../shared/errors.js";
import { createSecretsManagerClient, secretsManagerClientOptions } from "./secrets-manager-client.js";
import { readSecretString } from "./secrets-manager-store.js";

export type Environment = Record<string, string | undefined>;

/** Reads one secret's string value by name or ARN. */
export type SecretReader = (secretId: string) => Promise<string>;

const REFERENCE = /^([A-Z][A-Z0-9_]*)_SECRET_(ARN|NAME)$/;

interface Reference {
  variable: string;
  setting: string;
  secretId: string;
}

/** The references in an environment, one per target variable; both forms for one variable is an error. */
export function secretReferences(env: Environment): Reference[] {
  const byVariable = new Map<string, Reference>();
  const problems: string[] = [];
  for (const [setting, secretId] of Object.entries(env)) {
    const match = REFERENCE.exec(setting);
    if (!match || !secretId) continue;
    const variable = match[1] as string;
    const other = byVariable.get(variable);
    if (other) problems.push(`${other.setting} and ${setting}: set one, not both`);
    byVariable.set(variable, { variable, setting, secretId });
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  return [...byVariable.values()];
}

export async function resolveSecretEnvironment(env: Environment, read?: SecretReader): Promise<Environment> {
  const references = secretReferences(env);
  if (references.length === 0) return { ...env };
  const reader = read ?? defaultReader(env);
  const values = await Promise.all(
    references.map(async ({ variable, setting, secretId }) => {
      try {
        return [variable, await reader(secretId)] as const;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ConfigError(`invalid configuration: ${setting}: ${reason}`, { cause: error });
      }
    }),
  );
  return { ...env, ...Object.fromEntries(values) };
}

function defaultReader(env: Environment): SecretReader {
  const client = createSecretsManagerClient(secretsManagerClientOptions(env));
  return (secretId) => readSecretString(client, secretId);
}
