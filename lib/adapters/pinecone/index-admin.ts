/**
 * Pinecone's control plane, as `init` needs it: describe an index, create a serverless one. Errors are
 * PermanentErrors with the API key removed from their text.
 */
import { Pinecone } from "@pinecone-database/pinecone";
import { safeErrorText } from "../../core/safe-text.js";
import { PermanentError } from "../../shared/errors.js";

export const METRICS = ["cosine", "dotproduct", "euclidean"] as const;
export type Metric = (typeof METRICS)[number];

/** What Pinecone's control plane tells about an index, trimmed to what `init` checks and prints. */
export interface IndexFacts {
  name: string;
  /** A URL (Pinecone answers a bare host name; the data plane and `cdk deploy` want a URL). */
  host: string;
  dimension: number | undefined;
  metric: string;
}

export interface IndexSpec {
  name: string;
  dimension: number;
  metric: Metric;
  cloud: string;
  region: string;
}

export interface PineconeIndexAdmin {
  /** The index, or undefined when there is none by that name. */
  describe(name: string): Promise<IndexFacts | undefined>;
  /** Creates the index and waits until it is ready; one created meanwhile by someone else is fine. */
  create(spec: IndexSpec): Promise<void>;
}

export function createPineconeIndexAdmin(options: {
  apiKey: string;
  controllerHostUrl?: string;
  /** Where the key came from, named in errors. */
  source: string;
}): PineconeIndexAdmin {
  const pinecone = new Pinecone({
    apiKey: options.apiKey,
    ...(options.controllerHostUrl ? { controllerHostUrl: options.controllerHostUrl } : {}),
  });
  const failed = (operation: string, error: unknown): PermanentError => {
    const reason = safeErrorText(error, [options.apiKey], 1000);
    return new PermanentError(`Pinecone ${operation} failed (${options.source}): ${reason}`, {
      cause: error,
    });
  };
  return {
    async describe(name) {
      try {
        return facts(await pinecone.describeIndex(name));
      } catch (error) {
        if (error instanceof Error && error.name === "PineconeNotFoundError") return undefined;
        throw failed("describe index", error);
      }
    },
    async create(spec) {
      try {
        await pinecone.createIndex({
          name: spec.name,
          dimension: spec.dimension,
          metric: spec.metric,
          spec: { serverless: { cloud: spec.cloud as "aws", region: spec.region } },
          waitUntilReady: true,
          suppressConflicts: true,
        });
      } catch (error) {
        throw failed("create index", error);
      }
    },
  };
}

function facts(model: { name: string; host: string; dimension?: number; metric: string }): IndexFacts {
  const host = /^https?:\/\//.test(model.host) ? model.host : `https://${model.host}`;
  return { name: model.name, host, dimension: model.dimension, metric: model.metric };
}
