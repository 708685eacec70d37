/**
 * The deployed system: one table, two queues with dead-letter queues, the sync and index
 * functions, and the scheduled sweep. Every grant is the narrowest the function code needs.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { Schedule, ScheduleExpression, ScheduleTargetInput } from "aws-cdk-lib/aws-scheduler";
import { SqsSendMessage } from "aws-cdk-lib/aws-scheduler-targets";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { tableDefinition } from "../lib/adapters/table-schema.js";
import type { FunctionSettings, StackConfig } from "./config.js";
import { ServiceFunction } from "./function-defaults.js";

export interface NotionIndexSyncStackProps extends StackProps {
  config: StackConfig;
}

/** AWS's advice for SQS event sources: visibility timeout at least six times the function timeout. */
const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Dead letters are kept for inspection; 14 days is the SQS maximum. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/** A work queue with its own dead-letter queue. */
interface QueuePair {
  queue: Queue;
  deadLetterQueue: Queue;
}

export class NotionIndexSyncStack extends Stack {
  readonly table: Table;
  readonly sync: QueuePair & { fn: ServiceFunction };
  readonly index: QueuePair & { fn: ServiceFunction };

  constructor(scope: Construct, id: string, props: NotionIndexSyncStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removalPolicy === "destroy" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.table = this.createTable(removalPolicy);
    const syncQueues = this.createQueuePair("Sync", config.sync, config.maxReceiveCount);
    const indexQueues = this.createQueuePair("Index", config.index, config.maxReceiveCount);
    const pineconeApiKey = Secret.fromSecretNameV2(this, "PineconeApiKey", config.pineconeApiKeySecretName);

    const sharedEnvironment = {
      TABLE_NAME: this.table.tableName,
      SYNC_QUEUE_URL: syncQueues.queue.queueUrl,
      INDEX_QUEUE_URL: indexQueues.queue.queueUrl,
      PINECONE_INDEX_HOST: config.pineconeIndexHost,
      // The NAME of the secret, never its value. Resolving it inside the function (Secrets
      // Manager, cached per cold start) arrives with the CDK hardening issue.
      PINECONE_API_KEY_SECRET_NAME: config.pineconeApiKeySecretName,
      EMBEDDING_PROVIDER: config.embeddingProvider,
      EMBEDDING_DIMENSION: String(config.embeddingDimension),
      LEASE_SECONDS: String(config.leaseSeconds),
    };

    const syncFn = this.createFunction("SyncFunction", {
      entry: "functions/sync/handler.ts",
      description: "SyncQueue: detect Notion changes, claim documents, publish index tasks",
      settings: config.sync,
      config,
      removalPolicy,
      // Each function dead-letters poison records of the queue it consumes, and knows only that DLQ.
      environment: { ...sharedEnvironment, SYNC_DEAD_LETTER_QUEUE_URL: syncQueues.deadLetterQueue.queueUrl },
    });
    const indexFn = this.createFunction("IndexFunction", {
      entry: "functions/index/handler.ts",
      description: "IndexQueue: extract, split, embed and upsert a document's segments",
      settings: config.index,
      config,
      removalPolicy,
      environment: {
        ...sharedEnvironment,
        INDEX_DEAD_LETTER_QUEUE_URL: indexQueues.deadLetterQueue.queueUrl,
      },
    });

    this.sync = { ...syncQueues, fn: syncFn };
    this.index = { ...indexQueues, fn: indexFn };

    this.consume(this.sync, config.sync);
    this.consume(this.index, config.index);
    this.grantSync(pineconeApiKey);
    this.grantIndex(pineconeApiKey);
    this.scheduleSweep(config.sweepSchedule);
    this.addOutputs(config);
  }

  private createTable(removalPolicy: RemovalPolicy): Table {
    const table = new Table(this, "Table", {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
    for (const gsi of tableDefinition.globalIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }

  private createQueuePair(name: string, consumer: FunctionSettings, maxReceiveCount: number): QueuePair {
    const deadLetterQueue = new Queue(this, `${name}DeadLetterQueue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    const queue = new Queue(this, `${name}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A batch still in flight must not reappear to another invocation while it is worked on.
      visibilityTimeout: Duration.seconds(consumer.timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
    });
    return { queue, deadLetterQueue };
  }

  private createFunction(
    id: string,
    options: {
      entry: string;
      description: string;
      settings: FunctionSettings;
      config: StackConfig;
      removalPolicy: RemovalPolicy;
      environment: Record<string, string>;
    },
  ): ServiceFunction {
    return new ServiceFunction(this, id, {
      entry: options.entry,
      description: options.description,
      memoryMb: options.settings.memoryMb,
      timeoutSeconds: options.settings.timeoutSeconds,
      logLevel: options.config.logLevel,
      environment: options.environment,
      logRemovalPolicy: options.removalPolicy,
    });
  }

  /** SQS event source; partial batch failures so one bad record does not retry the whole batch. */
  private consume(pair: QueuePair & { fn: ServiceFunction }, settings: FunctionSettings): void {
    pair.fn.function.addEventSource(
      new SqsEventSource(pair.queue, {
        batchSize: settings.batchSize,
        maxConcurrency: settings.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }

  /** Sync: reads/writes documents, publishes index tasks, enqueues unit syncs from a sweep. */
  private grantSync(pineconeApiKey: ISecret): void {
    const fn = this.sync.fn.function;
    this.table.grantReadWriteData(fn);
    this.index.queue.grantSendMessages(fn);
    this.sync.queue.grantSendMessages(fn);
    this.sync.deadLetterQueue.grantSendMessages(fn);
    // Sync deletes vectors of superseded generations, so it talks to Pinecone too.
    pineconeApiKey.grantRead(fn);
  }

  /** Index: reads/writes documents and segments, dead-letters poison records. */
  private grantIndex(pineconeApiKey: ISecret): void {
    const fn = this.index.fn.function;
    this.table.grantReadWriteData(fn);
    this.index.deadLetterQueue.grantSendMessages(fn);
    pineconeApiKey.grantRead(fn);
  }

  /** The periodic resync: a sweep message on SyncQueue, sent by a role that can do nothing else. */
  private scheduleSweep(expression: string): void {
    const role = new Role(this, "SweepScheduleRole", {
      description: "EventBridge Scheduler: send the sweep message to SyncQueue",
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
        // Confused-deputy guard: only schedules in this account may assume the role.
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
    });
    new Schedule(this, "SweepSchedule", {
      description: "Periodic sweep: re-check every Notion document and enqueue changed ones",
      schedule: ScheduleExpression.expression(expression),
      target: new SqsSendMessage(this.sync.queue, {
        role,
        input: ScheduleTargetInput.fromObject({ type: "sweep" }),
        // A missed sweep is superseded by the next one: do not pile up stale retries.
        maxEventAge: Duration.minutes(5),
        retryAttempts: 3,
      }),
    });
  }

  private addOutputs(config: StackConfig): void {
    const outputs: Record<string, string> = {
      SyncQueueUrl: this.sync.queue.queueUrl,
      IndexQueueUrl: this.index.queue.queueUrl,
      SyncDeadLetterQueueUrl: this.sync.deadLetterQueue.queueUrl,
      IndexDeadLetterQueueUrl: this.index.deadLetterQueue.queueUrl,
      TableName: this.table.tableName,
      SyncFunctionName: this.sync.fn.function.functionName,
      IndexFunctionName: this.index.fn.function.functionName,
      PineconeIndexHost: config.pineconeIndexHost,
    };
    for (const [name, value] of Object.entries(outputs)) {
      new CfnOutput(this, name, { value });
    }
  }
}
