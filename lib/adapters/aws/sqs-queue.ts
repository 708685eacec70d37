/**
 * MessagePublisher and DeadLetterSink on SQS. A message is sent with its tenant as `MessageGroupId`,
 * which makes the standard queue a fair queue: one tenant's backlog does not hold back another
 * tenant's messages (docs/scale.md, Fairness).
 */

import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { ID_PATTERN } from "../../core/ids.js";
import type { DeadLetterSink, MessagePublisher } from "../../core/ports.js";

export function createSqsPublisher(client: SQSClient, queueUrl: string): MessagePublisher {
  return {
    async send(body, options) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(body),
          DelaySeconds: options?.delaySeconds,
          MessageGroupId: tenantOf(body),
        }),
      );
    },
  };
}

/** The message's tenant, when it names one (message ids allow only letters, digits and `._:-`). */
function tenantOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || !("tenantId" in body)) return undefined;
  const { tenantId } = body;
  return typeof tenantId === "string" && ID_PATTERN.test(tenantId) ? tenantId : undefined;
}

/**
 * Sends a poison message straight to the dead-letter queue with the reason as message attributes,
 * so it is kept for inspection without burning the source queue's receive count in retries.
 */
export function createSqsDeadLetterSink(client: SQSClient, deadLetterQueueUrl: string): DeadLetterSink {
  return {
    async deadLetter(body, reason, context) {
      const kept = keptBody(body);
      await client.send(
        new SendMessageCommand({
          QueueUrl: deadLetterQueueUrl,
          MessageBody: kept.body,
          MessageAttributes: {
            reason: { DataType: "String", StringValue: reason.slice(0, 1000) },
            originalMessageId: { DataType: "String", StringValue: context.messageId || "unknown" },
            source: { DataType: "String", StringValue: context.source },
            ...(kept.originalBytes === undefined
              ? {}
              : { originalBytes: { DataType: "Number", StringValue: String(kept.originalBytes) } }),
          },
        }),
      );
    },
  };
}

/**
 * Bodies up to this size are dead-lettered whole: with the attributes they stay under 256 KiB, the
 * smallest maximum message size a queue may have.
 */
const WHOLE_BODY_BYTES = 240 * 1024;
/** How much of a larger body is kept: enough to recognise it. */
const KEPT_PREFIX_CHARS = 16 * 1024;

/**
 * What goes into the dead-letter queue: the body itself, or, when body and attributes could exceed the
 * queue's maximum message size (then dead-lettering would fail and the record would loop), its start
 * and how long it was.
 */
function keptBody(body: string): { body: string; originalBytes?: number } {
  // SQS refuses empty bodies; keep something an operator can recognise.
  if (body.length === 0) return { body: "(empty body)" };
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes <= WHOLE_BODY_BYTES) return { body };
  let prefix = body.slice(0, KEPT_PREFIX_CHARS);
  // Never cut a surrogate pair in half.
  if (/[\uD800-\uDBFF]$/.test(prefix)) prefix = prefix.slice(0, -1);
  return { body: `${prefix}…[truncated, ${bytes} bytes]`, originalBytes: bytes };
}
