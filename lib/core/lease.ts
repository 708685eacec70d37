import { randomUUID } from "node:crypto";
import type { Lease } from "./model.js";

/** A lease for one run; it expires so that a crashed run never keeps a document forever (rule 2). */
export function newLease(now: Date, leaseSeconds: number, runId: string = randomUUID()): Lease {
  return { owner: runId, expiresAt: new Date(now.getTime() + leaseSeconds * 1000).toISOString() };
}

export function leaseIsLive(lease: Lease | undefined, now: Date): boolean {
  return lease !== undefined && lease.expiresAt > now.toISOString();
}
