/**
 * The deployed system: one table, two queues with dead-letter queues, the sync and index
 * functions, the scheduled sweep, the secrets they read and the alarms. Every grant is the
 * narrowest the function code needs.
 */
import { CfnOutput, CfnParameter, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import type { Dashboard } from "aws-cdk-lib/aws-cloudwatch";
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { type FunctionUrl, FunctionUrlAuthType } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { Schedule, ScheduleExpression, ScheduleTargetInput } from "aws-cdk-lib/aws-scheduler";
import { SqsSendMessage } from "aws-cdk-lib/aws-scheduler-targets";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { EMBEDDING_USD_PER_MILLION_TOKENS } from "../lib/shared/prices.js";
import type { StackOutputName } from "../lib/shared/stack-outputs.js";
import { GSI1, tableDefinition } from "../lib/shared/table-layout.js";
import { OperationsAlarms } from "./alarms.js";
import {
  type FunctionSettings,
  INDEX_HOST_EXPECTED,
  OAUTH_FUNCTION,
  PINECONE_INDEX_HOST_PATTERN,
  type StackConfig,
} from "./config.js";
import { PipelineDashboard } from "./dashboard.js";
import { allowEmbedding } from "./embedding-access.js";
import { ServiceFunction } from "./function-defaults.js";
import { ProjectSecrets } from "./secret-access.js";
import {
  grantIndexQuery,
  grantTableData,
  OAUTH_LEADING_KEYS,
  OAUTH_TABLE_ACTIONS,
  QUERY_TABLE_ACTIONS,
  WEBHOOK_TABLE_ACTIONS,
} from "./table-access.js";

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
  readonly secrets: ProjectSecrets;
  readonly alarms: OperationsAlarms;
  readonly dashboard: Dashboard;
  readonly schedules: { sweep: Schedule; reconcile: Schedule };
  readonly webhook: { fn: ServiceFunction; url: FunctionUrl };
  readonly query: { fn: ServiceFunction; url: FunctionUrl };
  readonly oauth: { fn: ServiceFunction; url: FunctionUrl };

  constructor(scope: Construct, id: string, props: NotionIndexSyncStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removalPolicy === "destroy" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const pineconeIndexHost = config.pineconeIndexHost ?? this.pineconeIndexHostParameter();

    this.table = this.createTable(removalPolicy);
    const syncQueues = this.createQueuePair("Sync", config.sync, config.maxReceiveCount);
    const indexQueues = this.createQueuePair("Index", config.index, config.maxReceiveCount);
    this.secrets = new ProjectSecrets(this, "Secrets", config);

    // Secret settings are added with their grants (ProjectSecrets): names here, never values.
    const sharedEnvironment = {
      TABLE_NAME: this.table.tableName,
      SYNC_QUEUE_URL: syncQueues.queue.queueUrl,
      INDEX_QUEUE_URL: indexQueues.queue.queueUrl,
      PINECONE_INDEX_HOST: pineconeIndexHost,
      LEASE_SECONDS: String(config.leaseSeconds),
      // Each binding's default budget, shared by every instance through the table (not divided up).
      NOTION_REQUESTS_PER_SECOND: String(config.notionRequestsPerSecond),
      NOTION_BURST: String(config.notionBurst),
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

    this.webhook = this.createWebhook(config, removalPolicy);
    this.query = this.createQuery(config, removalPolicy, pineconeIndexHost);
    this.oauth = this.createOAuth(config, removalPolicy);

    this.consume(this.sync, config.sync);
    this.consume(this.index, config.index);
    this.grantSync();
    this.grantIndex(config);
    this.schedules = this.scheduleSweeps(config);
    this.alarms = new OperationsAlarms(this, "Alarms", {
      pipelines: [
        {
          name: "Sync",
          queue: this.sync.queue,
          deadLetterQueue: this.sync.deadLetterQueue,
          fn: syncFn.function,
        },
        {
          name: "Index",
          queue: this.index.queue,
          deadLetterQueue: this.index.deadLetterQueue,
          fn: indexFn.function,
        },
      ],
      oldestMessageAlarmSeconds: config.oldestMessageAlarmSeconds,
      email: config.alarmEmail,
    });
    this.alarms.watchWebhook(this.webhook.fn.function, this.webhook.fn.logGroup);
    this.alarms.watchQuery(this.query.fn.function);
    this.alarms.watchPipelineMetrics({ freshnessLagAlarmSeconds: config.freshnessLagAlarmSeconds });
    this.dashboard = new PipelineDashboard(this, "Operations", {
      queues: [
        { name: "sync", queue: this.sync.queue, deadLetterQueue: this.sync.deadLetterQueue },
        { name: "index", queue: this.index.queue, deadLetterQueue: this.index.deadLetterQueue },
      ],
      logGroups: [syncFn.logGroup, indexFn.logGroup],
      notionRequestsPerSecond: config.notionRequestsPerSecond,
      embeddingUsdPerMillionTokens:
        EMBEDDING_USD_PER_MILLION_TOKENS[`${config.embedding.provider}/${config.embedding.model}`],
      embeddingModel: config.embedding.model,
    }).dashboard;
    this.addOutputs(config, pineconeIndexHost);
  }

  /**
   * Without `-c pineconeIndexHost`, the host is a deploy-time parameter: `cdk synth` works on a fresh
   * clone with no context, and `cdk deploy` refuses to start until the parameter has a value.
   */
  private pineconeIndexHostParameter(): string {
    return new CfnParameter(this, "PineconeIndexHostParameter", {
      type: "String",
      description: `The Pinecone index host (${INDEX_HOST_EXPECTED.replace(/^the /, "")})`,
      allowedPattern: PINECONE_INDEX_HOST_PATTERN.source,
      constraintDescription: `must be ${INDEX_HOST_EXPECTED}, without a path`,
    }).valueAsString;
  }

  private createTable(removalPolicy: RemovalPolicy): Table {
    const table = new Table(this, "Table", {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Only the webhook's "event seen" items carry it: they expire a week after the event.
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      removalPolicy,
      // A retained table can still be deleted by hand or by a stack replacement; this refuses both
      // until someone turns it off on purpose. A stack set up to be destroyed (dev) leaves it off.
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
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

  /**
   * The webhook: Notion's integration webhooks → delayed unit syncs on SyncQueue. A function URL
   * with auth NONE, because Notion cannot sign AWS (SigV4) requests: every request is
   * authenticated by the function instead (the binding's HMAC signature, a replay window, event
   * ids seen once). Reserved concurrency bounds what a flood of requests can cost and keeps the
   * other functions' concurrency for them.
   */
  private createWebhook(config: StackConfig, removalPolicy: RemovalPolicy) {
    const fn = new ServiceFunction(this, "WebhookFunction", {
      entry: "functions/webhook/handler.ts",
      description: "Notion webhooks: verify, debounce and enqueue unit syncs",
      memoryMb: config.webhook.memoryMb,
      timeoutSeconds: config.webhook.timeoutSeconds,
      logLevel: config.logLevel,
      logRemovalPolicy: removalPolicy,
      reservedConcurrency: config.webhook.reservedConcurrency,
      environment: {
        TABLE_NAME: this.table.tableName,
        SYNC_QUEUE_URL: this.sync.queue.queueUrl,
        WEBHOOK_DEBOUNCE_SECONDS: String(config.webhook.debounceSeconds),
        WEBHOOK_REPLAY_WINDOW_SECONDS: String(config.webhook.replayWindowSeconds),
      },
    });
    const url = fn.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    // Bindings (read, pinned workspace, reset flag), page index, debounce markers, events seen.
    grantTableData(this.table, [], fn.function, WEBHOOK_TABLE_ACTIONS);
    // A page discovered for a tenant with a documents quota is counted against it first.
    grantIndexQuery(this.table, GSI1, fn.function);
    this.sync.queue.grantSendMessages(fn.function);
    this.secrets.allowWebhookTokens(fn);
    return { fn, url };
  }

  /**
   * The retrieval API: `POST /v1/query` for the applications that read the index. A function URL
   * with auth NONE, because applications hold an API key, not AWS credentials: every request is
   * authenticated by the function (a key kept as a hash, compared in constant time), and each key's
   * rate is limited in the table. Reserved concurrency caps the rest.
   */
  private createQuery(config: StackConfig, removalPolicy: RemovalPolicy, pineconeIndexHost: string) {
    const fn = new ServiceFunction(this, "QueryFunction", {
      entry: "functions/query/handler.ts",
      description: "Retrieval API: keyed, filtered queries of the index",
      memoryMb: config.query.memoryMb,
      timeoutSeconds: config.query.timeoutSeconds,
      logLevel: config.logLevel,
      logRemovalPolicy: removalPolicy,
      reservedConcurrency: config.query.reservedConcurrency,
      environment: {
        TABLE_NAME: this.table.tableName,
        PINECONE_INDEX_HOST: pineconeIndexHost,
        QUERY_REQUESTS_PER_SECOND: String(config.query.requestsPerSecond),
        QUERY_BURST: String(config.query.burst),
      },
    });
    const url = fn.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    grantTableData(this.table, [], fn.function, QUERY_TABLE_ACTIONS);
    this.secrets.allowPineconeKey(fn);
    // A query is embedded by the model its dataset was indexed with: the same access as the index's.
    allowEmbedding(fn, config.embedding, this.secrets);
    return { fn, url };
  }

  /**
   * Notion OAuth (public integrations, ADR 0016): `/oauth/start` and `/oauth/callback`. A function
   * URL with auth NONE, because browsers are redirected to it: `/oauth/start` authenticates its
   * caller itself (a tenant's API key or a signed start link), the callback its single-use signed
   * state. Small and rarely called: little memory, a short timeout, a few instances at most.
   */
  private createOAuth(config: StackConfig, removalPolicy: RemovalPolicy) {
    const fn = new ServiceFunction(this, "OAuthFunction", {
      entry: "functions/oauth/handler.ts",
      description: "Notion OAuth: start the flow, exchange the code, store the token and the binding",
      memoryMb: OAUTH_FUNCTION.memoryMb,
      timeoutSeconds: OAUTH_FUNCTION.timeoutSeconds,
      logLevel: config.logLevel,
      logRemovalPolicy: removalPolicy,
      reservedConcurrency: OAUTH_FUNCTION.reservedConcurrency,
      environment: {
        TABLE_NAME: this.table.tableName,
        ...(config.oauth.returnUrl ? { OAUTH_RETURN_URL: config.oauth.returnUrl } : {}),
      },
    });
    const url = fn.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    // States (put, conditional delete), bindings (read, put), API keys (read).
    grantTableData(this.table, [], fn.function, OAUTH_TABLE_ACTIONS, OAUTH_LEADING_KEYS);
    this.secrets.allowOAuth(fn);
    return { fn, url };
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
  private grantSync(): void {
    const fn = this.sync.fn.function;
    grantTableData(this.table, this.tableIndexNames(), fn);
    this.index.queue.grantSendMessages(fn);
    this.sync.queue.grantSendMessages(fn);
    this.sync.deadLetterQueue.grantSendMessages(fn);
    // Sync deletes vectors of superseded generations, so it talks to Pinecone too.
    this.secrets.allowPineconeKey(this.sync.fn);
    this.secrets.allowNotionTokens(this.sync.fn);
  }

  /** Index: reads/writes documents, segments and cached embeddings, embeds, dead-letters poison records. */
  private grantIndex(config: StackConfig): void {
    const fn = this.index.fn.function;
    grantTableData(this.table, this.tableIndexNames(), fn);
    this.index.deadLetterQueue.grantSendMessages(fn);
    this.secrets.allowPineconeKey(this.index.fn);
    this.secrets.allowNotionTokens(this.index.fn);
    // The index function embeds passages (and the query function questions): the provider's key or
    // model permission is theirs alone.
    allowEmbedding(this.index.fn, config.embedding, this.secrets);
  }

  private tableIndexNames(): string[] {
    return tableDefinition.globalIndexes.map((gsi) => gsi.name);
  }

  /**
   * The periodic resyncs, sent by a role that can do nothing else: the sweep (one listing per
   * workspace, unit syncs for what changed) and the reconcile (every document checked directly).
   */
  private scheduleSweeps(config: StackConfig): { sweep: Schedule; reconcile: Schedule } {
    const role = new Role(this, "SweepScheduleRole", {
      description: "EventBridge Scheduler: send the sweep message to SyncQueue",
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
        // Confused-deputy guard: only schedules in this account may assume the role.
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
    });
    const schedule = (id: string, description: string, expression: string, message: object) =>
      new Schedule(this, id, {
        description,
        schedule: ScheduleExpression.expression(expression),
        target: new SqsSendMessage(this.sync.queue, {
          role,
          input: ScheduleTargetInput.fromObject(message),
          // A missed run is superseded by the next one: do not pile up stale retries.
          maxEventAge: Duration.minutes(5),
          retryAttempts: 3,
        }),
      });
    const sweep = schedule(
      "SweepSchedule",
      "Sweep: list each Notion workspace and enqueue changed documents",
      config.sweepSchedule,
      {
        type: "sweep",
      },
    );
    const reconcile = schedule(
      "ReconcileSchedule",
      "Reconcile: check every registered Notion document directly",
      config.reconcileSchedule,
      {
        type: "sweep",
        mode: "reconcile",
      },
    );
    return { sweep, reconcile };
  }

  /** What the CLI (`--stack NAME`) and an operator need; names shared with the CLI (lib/shared/stack-outputs.ts). */
  private addOutputs(config: StackConfig, pineconeIndexHost: string): void {
    const outputs: Partial<Record<StackOutputName, string>> = {
      SyncQueueUrl: this.sync.queue.queueUrl,
      IndexQueueUrl: this.index.queue.queueUrl,
      SyncDeadLetterQueueUrl: this.sync.deadLetterQueue.queueUrl,
      IndexDeadLetterQueueUrl: this.index.deadLetterQueue.queueUrl,
      TableName: this.table.tableName,
      SyncFunctionName: this.sync.fn.function.functionName,
      IndexFunctionName: this.index.fn.function.functionName,
      PineconeIndexHost: pineconeIndexHost,
      PineconeApiKeySecretName: config.pineconeApiKeySecretName,
      NotionTokenSecretPrefix: config.notionTokenSecretPrefix,
      EmbeddingProvider: config.embedding.provider,
      EmbeddingModel: config.embedding.model,
      EmbeddingDimension: String(config.embedding.dimension),
      AlarmTopicArn: this.alarms.topic.topicArn,
      WebhookUrl: this.webhook.url.url,
      WebhookTokenSecretPrefix: config.webhook.tokenSecretPrefix,
      WebhookFunctionName: this.webhook.fn.function.functionName,
      QueryUrl: this.query.url.url,
      QueryFunctionName: this.query.fn.function.functionName,
      OAuthUrl: this.oauth.url.url,
      OAuthRedirectUri: `${this.oauth.url.url}oauth/callback`,
      OAuthFunctionName: this.oauth.fn.function.functionName,
      NotionOAuthClientSecretName: config.oauth.clientSecretName,
      OAuthStateKeySecretName: config.oauth.stateKeySecretName,
      DashboardName: this.dashboard.dashboardName,
      SweepScheduleName: this.schedules.sweep.scheduleName,
      ReconcileScheduleName: this.schedules.reconcile.scheduleName,
      ...(config.embedding.provider === "openai"
        ? { OpenaiApiKeySecretName: config.openaiApiKeySecretName }
        : {}),
    };
    for (const [name, value] of Object.entries(outputs)) {
      new CfnOutput(this, name, { value });
    }
  }
}
