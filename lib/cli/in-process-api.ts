/**
 * The query API called in-process, for the CLI: the same handler the query function runs
 * (lib/retrieval/query-api.ts), reached through a `fetch` the typed client is given. The operator
 * has the AWS access the CLI runs with, so no API key is asked: the caller names the tenant.
 */
import type { Log } from "../core/ports.js";
import { createQueryApi } from "../retrieval/query-api.js";
import type { RetrievalPorts } from "../retrieval/retrieve.js";

/** The base URL the client is given; nothing listens there, the fetch below answers. */
export const IN_PROCESS_URL = "http://in-process.invalid/";
/** Any well-formed value: the in-process API does not check it. */
export const OPERATOR_KEY = "operator";

const quiet: Log = { debug() {}, info() {}, warn() {}, error() {} };

export function inProcessFetch(retrieval: RetrievalPorts, tenantId: string): typeof fetch {
  const api = createQueryApi({ retrieval, authenticate: async () => ({ tenantId }), log: quiet });
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const answer = await api({
      method: init?.method ?? "GET",
      path: url.pathname,
      headers,
      body: Buffer.from(typeof init?.body === "string" ? init.body : ""),
    });
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { "content-type": "application/json", ...answer.headers },
    });
  };
}
