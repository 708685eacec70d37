/** A queue's message counts as SQS reports them (approximate): `doctor`, and the local stack's idle check. */
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";

export interface QueueCounts {
  /** Waiting to be received. */
  waiting: number;
  /** Received and not yet deleted (being worked on). */
  inFlight: number;
  delayed: number;
}

export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<QueueCounts> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  return {
    waiting: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
