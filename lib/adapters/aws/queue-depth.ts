/** How many messages an SQS queue holds: waiting, in flight and delayed (approximate, as SQS counts). */
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";

const QUEUE_COUNTS = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
] as const;

export type QueueDepth = (queueUrl: string) => Promise<number>;

export function sqsQueueDepth(sqs: SQSClient): QueueDepth {
  return async (queueUrl) => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...QUEUE_COUNTS] }),
    );
    return QUEUE_COUNTS.reduce((sum, name) => sum + Number(Attributes[name] ?? 0), 0);
  };
}
