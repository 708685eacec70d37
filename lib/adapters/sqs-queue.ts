/** MessagePublisher and DeadLetterSink on SQS. */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeadLetterSink, MessagePublisher } from "../ports.js";

export function createSqsPublisher(client: SQSClient, queueUrl: string): MessagePublisher {
  return {
    async send(body, options) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(body),
          DelaySeconds: options?.delaySeconds,
        }),
      );
    },
  };
}

/**
 * Sends a poison message straight to the dead-letter queue with the reason as message attributes,
 * so it is kept for inspection without burning the source queue's receive count in retries.
 */
export function createSqsDeadLetterSink(client: SQSClient, deadLetterQueueUrl: string): DeadLetterSink {
  return {
    async deadLetter(body, reason, context) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: deadLetterQueueUrl,
          // SQS refuses empty bodies; keep something an operator can recognise.
          MessageBody: body.length > 0 ? body : "(empty body)",
          MessageAttributes: {
            reason: { DataType: "String", StringValue: reason.slice(0, 1000) },
            originalMessageId: { DataType: "String", StringValue: context.messageId || "unknown" },
            source: { DataType: "String", StringValue: context.source },
          },
        }),
      );
    },
  };
}
