/**
 * The embedding models this system knows, per provider, with the facts the embedders and the
 * cold-start checks need: which dimensions a model can produce and how many texts one request may carry.
 * A model not listed here is refused at cold start rather than discovered by a failed request.
 */
import { ConfigError } from "./errors.js";

export const EMBEDDING_PROVIDERS = ["local", "pinecone", "openai", "bedrock"] as const;
export type EmbeddingProvider = (typeof EMBEDDING_PROVIDERS)[number];

export interface ModelSpec {
  provider: EmbeddingProvider;
  model: string;
  /** Used when EMBEDDING_DIMENSION is not set. */
  defaultDimension: number;
  /** The dimensions the model can produce: a list, or any size in a range (shortened vectors). */
  dimensions: readonly number[] | { min: number; max: number };
  /** Most texts one request may carry. */
  maxInputs: number;
  /** Most tokens one request may carry, where the API limits it. */
  maxRequestTokens?: number;
}

export const MODELS: readonly ModelSpec[] = [
  {
    provider: "local",
    model: "local-hash-v1",
    defaultDimension: 384,
    dimensions: { min: 8, max: 20_000 },
    maxInputs: Number.POSITIVE_INFINITY,
  },
  // Pinecone Inference: 96 inputs per request; e5 reads 507 tokens per input, llama 2048 (longer is cut at the end).
  {
    provider: "pinecone",
    model: "multilingual-e5-large",
    defaultDimension: 1024,
    dimensions: [1024],
    maxInputs: 96,
  },
  {
    provider: "pinecone",
    model: "llama-text-embed-v2",
    defaultDimension: 1024,
    dimensions: [384, 512, 768, 1024, 2048],
    maxInputs: 96,
  },
  // OpenAI: 2048 inputs and 300k tokens per request; the -3 models shorten vectors to any size.
  {
    provider: "openai",
    model: "text-embedding-3-small",
    defaultDimension: 1536,
    dimensions: { min: 1, max: 1536 },
    maxInputs: 2048,
    maxRequestTokens: 300_000,
  },
  {
    provider: "openai",
    model: "text-embedding-3-large",
    defaultDimension: 3072,
    dimensions: { min: 1, max: 3072 },
    maxInputs: 2048,
    maxRequestTokens: 300_000,
  },
  {
    provider: "openai",
    model: "text-embedding-ada-002",
    defaultDimension: 1536,
    dimensions: [1536],
    maxInputs: 2048,
    maxRequestTokens: 300_000,
  },
  // Bedrock's InvokeModel embeds one text per request.
  {
    provider: "bedrock",
    model: "amazon.titan-embed-text-v2:0",
    defaultDimension: 1024,
    dimensions: [256, 512, 1024],
    maxInputs: 1,
  },
];

export const DEFAULT_MODELS: Record<EmbeddingProvider, string> = {
  local: "local-hash-v1",
  pinecone: "multilingual-e5-large",
  openai: "text-embedding-3-small",
  bedrock: "amazon.titan-embed-text-v2:0",
};

/** The provider, model and dimension an embedder is built for: also the embedding cache's key space. */
export interface EmbeddingSelection {
  provider: EmbeddingProvider;
  model: string;
  dimension: number;
  spec: ModelSpec;
}

export function findModel(model: string): ModelSpec | undefined {
  return MODELS.find((spec) => spec.model === model);
}

export function supportsDimension(spec: ModelSpec, dimension: number): boolean {
  const { dimensions } = spec;
  if ("min" in dimensions) return dimension >= dimensions.min && dimension <= dimensions.max;
  return dimensions.includes(dimension);
}

/** True when the model takes a dimension option (it can produce more than one size). */
export function hasDimensionOption(spec: ModelSpec): boolean {
  return "min" in spec.dimensions || spec.dimensions.length > 1;
}

export function describeDimensions(spec: ModelSpec): string {
  const { dimensions } = spec;
  return "min" in dimensions ? `${dimensions.min}..${dimensions.max}` : dimensions.join(", ");
}

/** Validates a provider / model / dimension choice; a ConfigError names what is wrong and what would work. */
export function resolveSelection(
  provider: EmbeddingProvider,
  model: string | undefined,
  dimension: number | undefined,
): EmbeddingSelection {
  const name = model ?? DEFAULT_MODELS[provider];
  const spec = MODELS.find((candidate) => candidate.provider === provider && candidate.model === name);
  if (!spec) {
    const known = MODELS.filter((candidate) => candidate.provider === provider).map((c) => c.model);
    throw new ConfigError(
      `EMBEDDING_MODEL ${name} is not a known ${provider} embedding model (known: ${known.join(", ")})`,
    );
  }
  const chosen = dimension ?? spec.defaultDimension;
  if (!supportsDimension(spec, chosen)) {
    throw new ConfigError(
      `EMBEDDING_DIMENSION ${chosen} is not one ${provider}/${name} can produce (it makes ${describeDimensions(spec)})`,
    );
  }
  return { provider, model: name, dimension: chosen, spec };
}
