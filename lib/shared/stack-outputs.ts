/**
 * The deployed stack's CloudFormation outputs, named once for the stack that writes them
 * (infra/stack.ts) and the CLI that reads them (`--stack NAME`). Most stand for a function setting:
 * with these, the CLI builds the same adapters the functions build.
 */
export const SETTING_OUTPUTS = {
  TableName: "TABLE_NAME",
  SyncQueueUrl: "SYNC_QUEUE_URL",
  IndexQueueUrl: "INDEX_QUEUE_URL",
  SyncDeadLetterQueueUrl: "SYNC_DEAD_LETTER_QUEUE_URL",
  IndexDeadLetterQueueUrl: "INDEX_DEAD_LETTER_QUEUE_URL",
  PineconeIndexHost: "PINECONE_INDEX_HOST",
  // Names of secrets, never their values: resolved like the functions do (lib/secrets).
  PineconeApiKeySecretName: "PINECONE_API_KEY_SECRET_NAME",
  OpenaiApiKeySecretName: "OPENAI_API_KEY_SECRET_NAME",
  EmbeddingProvider: "EMBEDDING_PROVIDER",
  EmbeddingModel: "EMBEDDING_MODEL",
  EmbeddingDimension: "EMBEDDING_DIMENSION",
} as const;

/** Outputs for people and for `connect`, not settings. */
export const INFO_OUTPUTS = [
  "NotionTokenSecretPrefix",
  "SyncFunctionName",
  "IndexFunctionName",
  "AlarmTopicArn",
  // The webhook (issue 8): its base URL, where its verification tokens live, and its function.
  "WebhookUrl",
  "WebhookTokenSecretPrefix",
  "WebhookFunctionName",
  // The retrieval API (issue 17): its base URL and its function.
  "QueryUrl",
  "QueryFunctionName",
  // Operations (issue 19): the dashboard, and the schedules `doctor` checks.
  "DashboardName",
  "SweepScheduleName",
  "ReconcileScheduleName",
  // Notion OAuth (issue 20): the function's base URL, the redirect URI to register with Notion, the
  // client secret the operator fills, the state key `connect --oauth` signs start links with.
  "OAuthUrl",
  "OAuthRedirectUri",
  "OAuthFunctionName",
  "NotionOAuthClientSecretName",
  "OAuthStateKeySecretName",
] as const;

export type SettingOutput = keyof typeof SETTING_OUTPUTS;
export type InfoOutput = (typeof INFO_OUTPUTS)[number];
export type StackOutputName = SettingOutput | InfoOutput;

/** Without these the CLI cannot talk to the stack at all. */
export const REQUIRED_OUTPUTS: readonly StackOutputName[] = [
  "TableName",
  "SyncQueueUrl",
  "IndexQueueUrl",
  "PineconeIndexHost",
  "PineconeApiKeySecretName",
  "NotionTokenSecretPrefix",
];
