/**
 * Running CLI command functions in the test's process: their connection to a harness's stand-ins
 * (as `connect` makes one for a deployed stack), and what they print, captured instead of shown.
 */
import { vi } from "vitest";
import type { Connection } from "../../lib/cli/connect.js";
import { type Harness, TENANT, WORKSPACE } from "./harness.js";

export function harnessConnection(h: Harness, datasetId: string, tenantId = TENANT): Connection {
  return {
    adapters: h.adapters,
    local: undefined,
    defaults: { tenantId, datasetId, workspaceId: WORKSPACE },
    queues: { sync: h.env.SYNC_QUEUE_URL, index: h.env.INDEX_QUEUE_URL },
  };
}

/** What a command printed on stdout (also when it fails: then the error is thrown after restoring). */
export async function printedBy(command: () => Promise<unknown>): Promise<string> {
  const written: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await command();
    return written.join("");
  } finally {
    write.mockRestore();
  }
}
