/**
 * How every AWS SDK client is built: in AWS the default credential chain finds the function's role;
 * a local stand-in (an `endpoint`) takes any credentials, so fixed fake ones spare the chain's lookup.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";

const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export function awsClientOptions(region: string | undefined, endpoint: string | undefined) {
  return { region, endpoint, credentials: endpoint ? LOCAL_CREDENTIALS : undefined };
}

/** The table's and the queues' clients; both local as soon as either runs on a stand-in. */
export function createDataClients(config: {
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string | undefined;
  SQS_ENDPOINT?: string | undefined;
}): { dynamodb: DynamoDBClient; sqs: SQSClient } {
  const local = config.DYNAMODB_ENDPOINT || config.SQS_ENDPOINT ? LOCAL_CREDENTIALS : undefined;
  const options = (endpoint: string | undefined) => ({
    region: config.AWS_REGION,
    endpoint,
    credentials: local,
  });
  return {
    dynamodb: new DynamoDBClient(options(config.DYNAMODB_ENDPOINT)),
    sqs: new SQSClient(options(config.SQS_ENDPOINT)),
  };
}
