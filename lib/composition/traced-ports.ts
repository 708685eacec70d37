/**
 * The ports a function calls outside AWS, each call in its own X-Ray subsegment (Notion, Pinecone,
 * the embedder): composed by the function files around the adapters they built.
 */
import { type Tracer, traced, traceNotion } from "../adapters/aws/tracing.js";
import type { Embedder, NotionConnector, VectorIndex } from "../core/ports.js";
import type { DatasetEmbedders } from "./dataset-embedders.js";

/** The outside services a function may call, each in its own subsegments when present. */
export interface TraceablePorts {
  notion?: NotionConnector;
  vectors?: VectorIndex;
  embedder?: Embedder;
  embedders?: DatasetEmbedders;
}

const EMBEDDER_METHODS = ["embedDocuments", "embedQuery"] as const;

export function withTracing<T extends TraceablePorts>(tracer: Tracer, ports: T): T {
  const { notion, vectors, embedder, embedders } = ports;
  return {
    ...ports,
    ...(notion ? { notion: traceNotion(tracer, notion) } : {}),
    ...(vectors
      ? { vectors: traced(tracer, "Pinecone", vectors, ["upsert", "deleteIds", "listIds", "query"]) }
      : {}),
    ...(embedder ? { embedder: traced(tracer, "Embedder", embedder, [...EMBEDDER_METHODS]) } : {}),
    ...(embedders
      ? {
          embedders: {
            forDataset: (dataset: Parameters<DatasetEmbedders["forDataset"]>[0]) =>
              traced(tracer, "Embedder", embedders.forDataset(dataset), [...EMBEDDER_METHODS]),
          },
        }
      : {}),
  };
}
