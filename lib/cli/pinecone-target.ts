/**
 * The Pinecone account `init` talks to, and the embedding the index must fit: the deployed stack's
 * (its key from Secrets Manager, its embedding outputs), the local stack's stand-in, or the
 * environment (PINECONE_API_KEY or PINECONE_API_KEY_SECRET_NAME, EMBEDDING_*). Unlike the other
 * commands, `init` needs no table or queue: it runs before the first deploy.
 */

import { describeDeployedStack, stackEnvironment } from "../adapters/aws/deployed-stack.js";
import { resolveSecretEnvironment } from "../adapters/aws/resolve-environment.js";
import { EMBEDDING_PROVIDERS, type EmbeddingProvider, resolveSelection } from "../shared/embedding-models.js";
import { PermanentError } from "../shared/errors.js";
import { type ConnectOptions, resolveTarget } from "./connect.js";

export interface PineconeTarget {
  apiKey: string;
  /** Control-plane URL: unset for Pinecone itself. */
  controllerHostUrl: string | undefined;
  embedding: { provider: string; model: string; dimension: number };
  /** The index host the stack is configured with, when there is a stack. */
  indexHost: string | undefined;
  /** "stack NAME", "the local stack" or "the environment", for messages. */
  source: string;
}

export async function pineconeTarget(options: ConnectOptions): Promise<PineconeTarget> {
  const target = await resolveTarget(options);
  if (target.kind === "local") {
    const { info } = target;
    return {
      apiKey: info.pineconeStandIn ? "local-stand-in" : requireKey(process.env, "the local stack"),
      controllerHostUrl: info.pineconeStandIn ? info.pineconeHost : process.env.PINECONE_CONTROLLER_HOST,
      embedding: info.embedding,
      indexHost: info.pineconeHost,
      source: "the local stack",
    };
  }
  const source = target.kind === "stack" ? `stack ${target.name}` : "the environment";
  const stackSettings =
    target.kind === "stack" ? stackEnvironment(await describeDeployedStack(target.name)) : {};
  const env = await resolveSecretEnvironment({ ...process.env, ...stackSettings });
  return {
    apiKey: requireKey(env, source),
    controllerHostUrl: env.PINECONE_CONTROLLER_HOST || undefined,
    embedding: embeddingOf(env),
    indexHost: target.kind === "stack" ? env.PINECONE_INDEX_HOST : undefined,
    source,
  };
}

function requireKey(env: Record<string, string | undefined>, source: string): string {
  const key = env.PINECONE_API_KEY;
  if (!key) {
    throw new PermanentError(
      `no Pinecone API key for ${source}: set PINECONE_API_KEY (or PINECONE_API_KEY_SECRET_NAME), or pass --stack NAME`,
    );
  }
  return key;
}

/** The embedding the functions would use with these settings (lib/shared/embedding-models.ts decides defaults). */
function embeddingOf(env: Record<string, string | undefined>): PineconeTarget["embedding"] {
  const provider = env.EMBEDDING_PROVIDER || "local";
  if (!EMBEDDING_PROVIDERS.includes(provider as EmbeddingProvider)) {
    throw new PermanentError(
      `EMBEDDING_PROVIDER ${provider}: must be one of ${EMBEDDING_PROVIDERS.join(", ")}`,
    );
  }
  const dimension = env.EMBEDDING_DIMENSION ? Number(env.EMBEDDING_DIMENSION) : undefined;
  try {
    const selection = resolveSelection(
      provider as EmbeddingProvider,
      env.EMBEDDING_MODEL || undefined,
      dimension,
    );
    return { provider, model: selection.model, dimension: selection.dimension };
  } catch (error) {
    throw new PermanentError(error instanceof Error ? error.message : String(error));
  }
}
