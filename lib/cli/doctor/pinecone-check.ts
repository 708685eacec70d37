/**
 * Check 3: the Pinecone index at the stack's host exists and has the embedding model's dimension:
 * the index function's cold-start check (lib/embedding/dimension-check.ts), made before a cold start
 * fails on it. The key is the stack's (its secret, read as the functions read it), never printed.
 */
import { describePineconeIndex } from "../../adapters/pinecone/pinecone-vector-index.js";
import {
  EMBEDDING_PROVIDERS,
  type EmbeddingProvider,
  resolveSelection,
} from "../../shared/embedding-models.js";
import type { DoctorContext } from "./context.js";
import { type Check, type CheckResult, failed, passed, reasonOf, within } from "./run-checks.js";

const NAME = "pinecone index";

export function pineconeCheck(context: DoctorContext): Check {
  return { name: NAME, run: async () => [await checkIndex(context)] };
}

async function checkIndex(context: DoctorContext): Promise<CheckResult> {
  const { env } = context;
  const host = env.PINECONE_INDEX_HOST;
  if (!host)
    return failed(NAME, `${context.label} names no index host`, "deploy this version: `npx cdk deploy`");
  let embedding: { name: string; dimension: number };
  try {
    embedding = embeddingOf(env);
  } catch (error) {
    return failed(
      NAME,
      reasonOf(error),
      "set EMBEDDING_PROVIDER / EMBEDDING_MODEL / EMBEDDING_DIMENSION to a known model",
    );
  }
  let apiKey: string;
  try {
    apiKey = await pineconeKey(context);
  } catch (error) {
    return failed(NAME, `the Pinecone API key cannot be read: ${reasonOf(error)}`, "see the secrets check");
  }
  let dimension: number;
  try {
    ({ dimension } = await within(
      context.timeoutMs,
      "Pinecone describe_index_stats",
      describePineconeIndex({
        apiKey,
        indexHost: host,
        controllerHostUrl: env.PINECONE_CONTROLLER_HOST || undefined,
      }),
    ));
  } catch (error) {
    const reason = reasonOf(error);
    if (/HTTP 404|not found/i.test(reason)) {
      return failed(
        NAME,
        `no Pinecone index answers at ${host}`,
        `create one with \`notion-index-sync init\` (${embedding.dimension} dimensions for ${embedding.name}) and deploy with its host: \`npx cdk deploy -c pineconeIndexHost=<host>\``,
      );
    }
    if (/HTTP 401|HTTP 403/.test(reason)) {
      return failed(
        NAME,
        `Pinecone refused the key: ${reason}`,
        "store the project's current Pinecone API key in its secret",
      );
    }
    return failed(NAME, reason, "check the index host and that Pinecone is reachable, then run doctor again");
  }
  if (dimension !== embedding.dimension) {
    return failed(
      NAME,
      `the index at ${host} has dimension ${dimension}, but ${embedding.name} makes ${embedding.dimension}-dimensional vectors`,
      `create an index of dimension ${embedding.dimension} with \`notion-index-sync init --name <new name>\` and deploy with its host, or set EMBEDDING_DIMENSION=${dimension} if the model can make it`,
    );
  }
  return passed(NAME, `index at ${host} has dimension ${dimension}, as ${embedding.name} makes`);
}

async function pineconeKey(context: DoctorContext): Promise<string> {
  const { env } = context;
  // The local stack's functions take the key from local.json's settings, never from a secret.
  if (context.kind === "local" && env.PINECONE_API_KEY) return env.PINECONE_API_KEY;
  const secretId = env.PINECONE_API_KEY_SECRET_ARN || env.PINECONE_API_KEY_SECRET_NAME;
  if (secretId) return context.readSecret(secretId);
  if (env.PINECONE_API_KEY) return env.PINECONE_API_KEY;
  throw new Error("no PINECONE_API_KEY_SECRET_NAME output and no PINECONE_API_KEY");
}

function embeddingOf(env: DoctorContext["env"]): { name: string; dimension: number } {
  const provider = env.EMBEDDING_PROVIDER || "local";
  if (!EMBEDDING_PROVIDERS.includes(provider as EmbeddingProvider)) {
    throw new Error(`EMBEDDING_PROVIDER ${provider}: must be one of ${EMBEDDING_PROVIDERS.join(", ")}`);
  }
  const selection = resolveSelection(
    provider as EmbeddingProvider,
    env.EMBEDDING_MODEL || undefined,
    env.EMBEDDING_DIMENSION ? Number(env.EMBEDDING_DIMENSION) : undefined,
  );
  return { name: `${provider}/${selection.model}`, dimension: selection.dimension };
}
