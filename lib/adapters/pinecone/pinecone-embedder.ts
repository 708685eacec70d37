/**
 * Pinecone Inference (`POST /embed` on Pinecone's API host) through the real client's
 * `inference.embed`: passages with input_type "passage", queries with "query"; at most 96 texts per
 * request; inputs longer than the model reads are cut at the end (`truncate: "END"`, Pinecone's default).
 * The client's own retries cover 5xx only and ignore Retry-After, so they are turned off here and one
 * loop retries 429 and 5xx alike, honouring Retry-After (and counting every request for the usage).
 */

import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from "../../core/retry-policy.js";
import { planBatches } from "../../embedding/batches.js";
import { checkVectors } from "../../embedding/check-vectors.js";
import type { MeteredEmbedder } from "../../embedding/usage.js";
import { type EmbeddingSelection, hasDimensionOption } from "../../shared/embedding-models.js";
import { callPinecone, createPineconeClient } from "./pinecone-vector-index.js";

export interface PineconeEmbedderOptions {
  apiKey: string;
  /** Pinecone's API host; the public one by default, the stand-in's URL locally. */
  controllerHostUrl?: string;
  selection: EmbeddingSelection;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

type InputType = "passage" | "query";

export function createPineconeEmbedder(options: PineconeEmbedderOptions): MeteredEmbedder {
  const { apiKey, selection } = options;
  const { model, dimension, spec } = selection;
  const client = createPineconeClient({
    apiKey,
    maxRetries: 0,
    ...(options.controllerHostUrl ? { controllerHostUrl: options.controllerHostUrl } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };

  /** One request (with its retries); returns the vectors, billed tokens and HTTP requests made. */
  async function embedBatch(inputs: string[], inputType: InputType) {
    // The API takes numbers here; the client's type says strings because most parameters are.
    const parameters = {
      input_type: inputType,
      truncate: "END",
      ...(hasDimensionOption(spec) ? { dimension } : {}),
    } as unknown as Record<string, string>;
    let requests = 0;
    const answer = await withRetries(() => {
      requests += 1;
      return callPinecone("embed", apiKey, () => client.inference.embed({ model, inputs, parameters }));
    }, policy);
    const vectors = checkVectors(
      answer.data.map((item) => (item.vectorType === "dense" ? item.values : undefined)),
      { count: inputs.length, dimension, source: `Pinecone embed (${model})` },
    );
    return { vectors, tokens: answer.usage?.totalTokens ?? 0, requests };
  }

  return {
    provider: "pinecone",
    model,
    dimension,
    async embedDocuments(texts) {
      const vectors: number[][] = new Array(texts.length);
      let tokens = 0;
      let requests = 0;
      for (const batch of planBatches(texts, spec, () => 0)) {
        const result = await embedBatch(
          batch.map((position) => texts[position] as string),
          "passage",
        );
        batch.forEach((position, i) => {
          vectors[position] = result.vectors[i] as number[];
        });
        tokens += result.tokens;
        requests += result.requests;
      }
      return { vectors, embedded: texts.length, cached: 0, tokens, requests };
    },
    async embedQuery(text) {
      const result = await embedBatch([text], "query");
      return result.vectors[0] as number[];
    },
  };
}
