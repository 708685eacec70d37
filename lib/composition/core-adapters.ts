/**
 * Every adapter but the embedder, built from validated configuration. The sync function never
 * embeds, so it builds only these: the embedder and its tokenizer stay out of its bundle.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { createDataClients } from "../adapters/aws/aws-clients.js";
import { createDynamoDbCheckpointStore } from "../adapters/aws/dynamodb-checkpoint-store.js";
import { createDynamoDbParentIndex } from "../adapters/aws/dynamodb-parent-index.js";
import { createDynamoDbRateBudget } from "../adapters/aws/dynamodb-rate-budget.js";
import { createDynamoDbStore } from "../adapters/aws/dynamodb-store.js";
import { createDynamoDbUsageLedger } from "../adapters/aws/dynamodb-usage-ledger.js";
import { createSecretStore } from "../adapters/aws/secret-store.js";
import { createSecretsManagerClient } from "../adapters/aws/secrets-manager-client.js";
import { createSqsDeadLetterSink, createSqsPublisher } from "../adapters/aws/sqs-queue.js";
import { createNotionConnector } from "../adapters/notion/notion-source.js";
import { createPineconeVectorIndex } from "../adapters/pinecone/pinecone-vector-index.js";
import type {
  CheckpointStore,
  DeadLetterSink,
  DocumentStore,
  MessagePublisher,
  NotionConnector,
  ParentIndex,
  SecretStore,
  UsageLedger,
  VectorIndex,
} from "../core/ports.js";
import type { NotionRequestObserver } from "../telemetry/notion-meter.js";
import type { Config } from "./config.js";

export interface CoreAdapters {
  store: DocumentStore;
  checkpoints: CheckpointStore;
  parents: ParentIndex;
  usage: UsageLedger;
  vectors: VectorIndex;
  notion: NotionConnector;
  secrets: SecretStore;
  syncQueue: MessagePublisher;
  indexQueue: MessagePublisher;
  syncDeadLetters: DeadLetterSink;
  indexDeadLetters: DeadLetterSink;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
}

export interface CoreAdapterOptions {
  /** Told of every Notion request (the functions' metrics and usage). */
  notionObserver?: NotionRequestObserver;
}

export function createCoreAdapters(config: Config, options: CoreAdapterOptions = {}): CoreAdapters {
  const { dynamodb, sqs } = createDataClients(config);
  return {
    store: createDynamoDbStore(dynamodb, config.TABLE_NAME),
    checkpoints: createDynamoDbCheckpointStore(dynamodb, config.TABLE_NAME),
    parents: createDynamoDbParentIndex(dynamodb, config.TABLE_NAME),
    usage: createDynamoDbUsageLedger(dynamodb, config.TABLE_NAME),
    vectors: createPineconeVectorIndex({
      apiKey: config.PINECONE_API_KEY,
      indexHost: config.PINECONE_INDEX_HOST,
      controllerHostUrl: config.PINECONE_CONTROLLER_HOST,
    }),
    notion: createNotionConnector({
      baseUrl: config.NOTION_BASE_URL,
      timeoutMs: config.NOTION_TIMEOUT_MS,
      rate: { requestsPerSecond: config.NOTION_REQUESTS_PER_SECOND, burst: config.NOTION_BURST },
      budget: createDynamoDbRateBudget(dynamodb, config.TABLE_NAME),
      observer: options.notionObserver,
    }),
    // Binding tokens: `secretsmanager:<name or ARN>` (the local stack runs a Secrets Manager stand-in).
    secrets: createSecretStore({
      secretsManager: () =>
        createSecretsManagerClient({ region: config.AWS_REGION, endpoint: config.SECRETS_MANAGER_ENDPOINT }),
    }),
    syncQueue: createSqsPublisher(sqs, config.SYNC_QUEUE_URL),
    indexQueue: createSqsPublisher(sqs, config.INDEX_QUEUE_URL),
    syncDeadLetters: deadLetterSink(sqs, config.SYNC_DEAD_LETTER_QUEUE_URL, "SYNC_DEAD_LETTER_QUEUE_URL"),
    indexDeadLetters: deadLetterSink(sqs, config.INDEX_DEAD_LETTER_QUEUE_URL, "INDEX_DEAD_LETTER_QUEUE_URL"),
    sqs,
    dynamodb,
  };
}

/** Without a configured DLQ, a poison record fails and is left to the queue's own redrive policy. */
function deadLetterSink(sqs: SQSClient, url: string | undefined, setting: string): DeadLetterSink {
  if (url) return createSqsDeadLetterSink(sqs, url);
  return {
    async deadLetter() {
      throw new Error(`${setting} is not configured: the record is left to the queue's redrive policy`);
    },
  };
}
