/**
 * The bodies Notion POSTs to a webhook URL, validated with zod:
 * - the handshake, once per subscription: `{"verification_token": "..."}`, unsigned;
 * - events (API version 2025-09-03): `id`, `timestamp`, `workspace_id`, `subscription_id`,
 *   `integration_id`, `type`, `authors`, `attempt_number`, `entity {id, type}` and `data` (for
 *   page events `data.parent {id, type, data_source_id?}`; a row's parent is its database, with
 *   the data source id alongside). Unknown fields are allowed: Notion adds fields over time.
 */
import * as z from "zod/mini";
import "../core/zod-english.js";
import { notionIdSchema } from "../core/notion-id.js";

const notionId = notionIdSchema;

/** A string of `min` to `max` characters. */
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));

const reference = z.object({ id: notionId, type: text(1, 64) });

const parent = z.object({
  id: notionId,
  type: text(1, 64),
  data_source_id: z.optional(notionId),
  database_id: z.optional(notionId),
});

export const handshakeSchema = z.strictObject({ verification_token: text(8, 512) });

export const eventSchema = z.object({
  id: text(1, 128),
  timestamp: z.iso.datetime({ offset: true }),
  workspace_id: notionId,
  subscription_id: text(1, 128),
  integration_id: text(1, 128),
  type: z.string().check(z.regex(/^[a-z_]+\.[a-z_]+$/, "not an event type such as page.created")),
  authors: z.optional(z.array(z.partial(reference, { type: true })).check(z.maxLength(1000))),
  attempt_number: z.int().check(z.gte(1), z.lte(100)),
  entity: reference,
  data: z.optional(z.looseObject({ parent: z.optional(parent) })),
});

export type NotionWebhookEvent = z.infer<typeof eventSchema>;

export type WebhookBody =
  | { kind: "handshake"; verificationToken: string }
  | { kind: "event"; event: NotionWebhookEvent };

export class MalformedBodyError extends Error {
  override name = "MalformedBodyError";
}

/** Parses a body as a handshake or an event; MalformedBodyError with a one-line reason otherwise. */
export function parseWebhookBody(rawBody: string): WebhookBody {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new MalformedBodyError("body is not valid JSON");
  }
  if (typeof json === "object" && json !== null && "verification_token" in json) {
    const handshake = handshakeSchema.safeParse(json);
    if (!handshake.success) throw new MalformedBodyError(`handshake ${reasonOf(handshake.error)}`);
    return { kind: "handshake", verificationToken: handshake.data.verification_token };
  }
  const event = eventSchema.safeParse(json);
  if (!event.success) throw new MalformedBodyError(`event ${reasonOf(event.error)}`);
  return { kind: "event", event: event.data };
}

function reasonOf(error: z.core.$ZodError): string {
  const issues = error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "body"}: ${issue.message}`);
  return `has the wrong shape (${issues.join("; ")})`;
}
