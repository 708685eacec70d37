/**
 * Counts the Pinecone requests one run makes. A run opens a meter (`withRequestMeter`); the Pinecone
 * adapter reports each vector-index request it sends (`countPineconeRequest`). The meter follows the
 * run's async context, so concurrent runs in one process each count their own requests. Retries done
 * inside the Pinecone client are not seen here: the counts are of API calls.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestMeter {
  pineconeReads: number;
  pineconeWrites: number;
}

const current = new AsyncLocalStorage<RequestMeter>();

export function newRequestMeter(): RequestMeter {
  return { pineconeReads: 0, pineconeWrites: 0 };
}

export function withRequestMeter<T>(meter: RequestMeter, run: () => Promise<T>): Promise<T> {
  return current.run(meter, run);
}

export function countPineconeRequest(kind: "read" | "write"): void {
  const meter = current.getStore();
  if (!meter) return;
  if (kind === "read") meter.pineconeReads += 1;
  else meter.pineconeWrites += 1;
}
