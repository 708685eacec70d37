/**
 * Queue message shapes (docs/architecture.md, Messages), validated with zod. A body that fails here is an
 * InvalidMessageError: dead-lettered with the reason, never retried.
 */
import * as z from "zod/mini";
import "./zod-english.js";
import { InvalidMessageError } from "../shared/errors.js";

/** Ids are used in DynamoDB keys and in vector ids (`{documentId}#{generation}#{position}`). */
const id = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[A-Za-z0-9._:-]+$/, "only letters, digits and . _ : - are allowed"),
  );

/** The same rule for every id a caller names (datasets, documents, tenants), in messages and in the query API. */
export { id as entityIdSchema };

const positiveWhole = z.int().check(z.positive());

export const unitSyncMessage = z.strictObject({
  /** The sender's tenant: a message naming another tenant's document is refused (lib/core/message-scope.ts). */
  tenantId: z.optional(id),
  datasetId: id,
  documentId: id,
  /** Compare the content itself, not only last_edited_time (sent by sweeps for databases and by reconciles). */
  recheck: z.optional(z.boolean()),
});
export const sweepMessage = z.strictObject({
  type: z.literal("sweep"),
  tenantId: z.optional(id),
  /** One binding's workspace (with tenantId): a sweep of several bindings sends one of these each. */
  workspaceId: z.optional(id),
  datasetId: z.optional(id),
  /** `listing` (default): list each workspace once; `reconcile`: check every document directly. */
  mode: z.optional(z.enum(["listing", "reconcile"])),
  /** A listing that goes on from its checkpoint: the sweep's id (its start, in epoch ms). */
  continuation: z.optional(positiveWhole),
});
export const indexMessage = z.strictObject({
  tenantId: z.optional(id),
  datasetId: id,
  documentId: id,
  generation: positiveWhole,
});

export type UnitSyncMessage = z.infer<typeof unitSyncMessage>;
export type SweepMessage = z.infer<typeof sweepMessage>;
export type SyncMessage = SweepMessage | UnitSyncMessage;
export type IndexMessage = z.infer<typeof indexMessage>;

/** Largest body we accept; SQS allows 256 KiB, our messages are a few hundred bytes. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

function parse<T>(schema: z.ZodMiniType<T>, body: string, what: string): T {
  if (Buffer.byteLength(body, "utf8") > MAX_MESSAGE_BYTES) {
    throw new InvalidMessageError(`${what} message is larger than ${MAX_MESSAGE_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidMessageError(`${what} message body is not valid JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const reason = result.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "body"}: ${issue.message}`)
      .join("; ");
    throw new InvalidMessageError(`${what} message has the wrong shape (${reason})`);
  }
  return result.data;
}

/** A body with a `type` is a sweep; any other is a unit sync. Choosing first gives precise errors. */
export const parseSyncMessage = (body: string): SyncMessage => {
  const looksLikeSweep = /"type"\s*:/.test(body);
  return parse<SyncMessage>(looksLikeSweep ? sweepMessage : unitSyncMessage, body, "sync");
};
export const parseIndexMessage = (body: string): IndexMessage => parse(indexMessage, body, "index");

export function isSweep(message: SyncMessage): message is SweepMessage {
  return "type" in message;
}
