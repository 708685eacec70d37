/**
 * The rules for the ids a caller names. They end up in DynamoDB keys, vector ids and URL paths, so
 * one rule holds everywhere (messages, the CLI, the functions' URLs).
 */
import { PermanentError } from "../shared/errors.js";

/** Datasets, documents, workspaces: 1–128 letters, digits and `. _ : -`. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Tenants leave out `.` too: it separates tenant and dataset in a Pinecone namespace
 * (`{tenantId}.{datasetId}`), so tenant `a.b` with dataset `c` and tenant `a` with dataset `b.c`
 * would share one.
 */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9_:-]{1,128}$/;

export const TENANT_ID_RULE =
  "1-128 letters, digits and _ : - (no dot: it separates tenant and dataset names)";

/** A new tenant's id, or a PermanentError that says the rule. */
export function checkTenantId(tenantId: string, what = "tenant"): string {
  if (!TENANT_ID_PATTERN.test(tenantId))
    throw new PermanentError(`${what} must be ${TENANT_ID_RULE}; got "${tenantId}"`);
  return tenantId;
}
