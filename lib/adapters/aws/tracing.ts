/**
 * X-Ray tracing with Powertools Tracer: a subsegment around each call a function makes to Notion,
 * Pinecone and the embedder, wrapped around the ports (the domain never sees the tracer). Outside
 * Lambda (the local stack, tests, the CLI) Powertools turns tracing off and the ports are returned
 * as they are. Outgoing HTTP requests (fetch and the AWS SDK's) are traced by Powertools itself.
 */
import { Tracer } from "@aws-lambda-powertools/tracer";

export type { Tracer };

import type { NotionConnector } from "../../core/ports.js";

export function createTracer(): Tracer {
  return new Tracer({ serviceName: "notion-index-sync" });
}

/**
 * Each call of the named async methods of `port` in a subsegment `{name}.{method}`; everything else
 * (properties, synchronous methods) passes through untouched.
 */
export function traced<T extends object>(
  tracer: Tracer,
  name: string,
  port: T,
  methods: (keyof T & string)[],
): T {
  if (!tracer.isTracingEnabled()) return port;
  const wrapped = new Set<string>(methods);
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string" || !wrapped.has(property)) return value;
      return (...args: unknown[]) =>
        tracer.provider.captureAsyncFunc(`${name}.${property}`, async (subsegment) => {
          try {
            return await value.apply(target, args);
          } catch (error) {
            subsegment?.addError(error as Error);
            throw error;
          } finally {
            subsegment?.close();
          }
        });
    },
  });
}

export function traceNotion(tracer: Tracer, connector: NotionConnector): NotionConnector {
  if (!tracer.isTracingEnabled()) return connector;
  // Opening a source is local work; what the source then asks Notion is what takes time.
  return {
    open: (token, access) =>
      traced(tracer, "Notion", connector.open(token, access), [
        "getState",
        "extract",
        "listWorkspacePage",
        "hasRowsEditedSince",
        "getParentLink",
      ]),
  };
}
