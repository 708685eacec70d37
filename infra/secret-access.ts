/**
 * The project's secrets, as the functions see them: a function that needs one gets, together, the
 * setting that names it (read at cold start, lib/adapters/aws/resolve-environment.ts) and the grant to
 * read it. Values never appear in the template.
 *
 * Decision: one secret per Notion binding, under a per-stack name prefix, rather than one map of
 * all tokens. `connect` creates or replaces one tenant's secret without a read-modify-write race on
 * a shared map, each token is rotated, audited (CloudTrail names the secret) and deleted on its
 * own, and no 64 KB map limit caps the number of workspaces. The cost is $0.40 per binding a month.
 */
import { Aws, RemovalPolicy, Validations } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { StackConfig } from "./config.js";
import type { ServiceFunction } from "./function-defaults.js";

export class ProjectSecrets extends Construct {
  readonly pineconeApiKey: ISecret;
  readonly openaiApiKey: ISecret;
  /** ARN pattern of the Notion token secrets: the prefix, then anything. */
  readonly notionTokenArnPattern: string;
  /** ARN pattern of the webhook verification token secrets. */
  readonly webhookTokenArnPattern: string;
  /** The Notion public integration's OAuth client: created with a placeholder, filled by the operator. */
  readonly oauthClient: Secret;
  /** The OAuth function's HMAC key of states and start links: generated, never seen by anyone. */
  readonly oauthStateKey: Secret;

  constructor(
    scope: Construct,
    id: string,
    private readonly config: StackConfig,
  ) {
    super(scope, id);
    // Created by the operator before the deploy (README): the stack never holds the values.
    this.pineconeApiKey = Secret.fromSecretNameV2(this, "PineconeApiKey", config.pineconeApiKeySecretName);
    this.openaiApiKey = Secret.fromSecretNameV2(this, "OpenaiApiKey", config.openaiApiKeySecretName);
    this.notionTokenArnPattern =
      `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:` +
      `${config.notionTokenSecretPrefix}*`;
    this.webhookTokenArnPattern =
      `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:` +
      `${config.webhook.tokenSecretPrefix}*`;
    const removalPolicy = config.removalPolicy === "destroy" ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.oauthClient = new Secret(this, "NotionOAuthClient", {
      secretName: config.oauth.clientSecretName,
      description:
        'Notion public integration OAuth client: {"clientId","clientSecret"} (notion-index-sync connect --oauth-client)',
      // A random placeholder (not the JSON) until the operator fills it: the function says so until
      // then. Generated, so that no value, not even an empty one, is in the template.
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy,
    });
    this.oauthStateKey = new Secret(this, "OAuthStateKey", {
      secretName: config.oauth.stateKeySecretName,
      description: "HMAC key of the OAuth function's states and of `connect --oauth` start links",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    for (const secret of [this.oauthClient, this.oauthStateKey]) {
      Validations.of(secret).acknowledge({
        id: "AwsSolutions-SMG4",
        reason:
          "Not rotated by a Lambda: the OAuth client secret is Notion's and changes only when the operator resets it there; the state key signs values that live minutes (states) or hours (start links), and a new value can be put at any time.",
      });
    }
  }

  /**
   * The OAuth function: reads its two secrets, and creates or replaces Notion token secrets under
   * the stack's prefix (a grant's token) without reading any of them.
   */
  allowOAuth(fn: ServiceFunction): void {
    fn.function.addEnvironment("OAUTH_CLIENT_SECRET_ID", this.oauthClient.secretArn);
    fn.function.addEnvironment("OAUTH_STATE_KEY_SECRET_ID", this.oauthStateKey.secretArn);
    fn.function.addEnvironment("NOTION_TOKEN_SECRET_PREFIX", this.config.notionTokenSecretPrefix);
    this.oauthClient.grantRead(fn.function);
    this.oauthStateKey.grantRead(fn.function);
    fn.function.addToRolePolicy(
      new PolicyStatement({
        actions: ["secretsmanager:CreateSecret", "secretsmanager:PutSecretValue"],
        resources: [this.notionTokenArnPattern],
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${this.config.notionTokenSecretPrefix}*]`,
      reason:
        "A grant's token secret is created by the OAuth callback after the deploy, so its ARN (and AWS's random suffix) is unknown at synth; the grant is create and put-value only (no read), on this stack's own Notion token prefix.",
    });
  }

  /**
   * Webhook verification tokens: the webhook function reads them, creates one at a binding's
   * handshake and replaces one when the operator armed a reset, all under the stack's webhook
   * prefix only (which does not overlap the Notion tokens' prefix, so it can never touch those).
   */
  allowWebhookTokens(fn: ServiceFunction): void {
    fn.function.addEnvironment("WEBHOOK_TOKEN_SECRET_PREFIX", this.config.webhook.tokenSecretPrefix);
    fn.function.addToRolePolicy(
      new PolicyStatement({
        actions: [
          "secretsmanager:GetSecretValue",
          "secretsmanager:CreateSecret",
          "secretsmanager:PutSecretValue",
        ],
        resources: [this.webhookTokenArnPattern],
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${this.config.webhook.tokenSecretPrefix}*]`,
      reason:
        "A binding's verification token secret is created by the webhook's handshake after the deploy, so its ARN (and AWS's random suffix) is unknown at synth; the grant is read, create and put-value only, on this stack's own webhook secret prefix.",
    });
  }

  /** The Pinecone API key: every function that reads or writes vectors. */
  allowPineconeKey(fn: ServiceFunction): void {
    fn.function.addEnvironment("PINECONE_API_KEY_SECRET_NAME", this.config.pineconeApiKeySecretName);
    this.pineconeApiKey.grantRead(fn.function);
  }

  /** The OpenAI API key: the function that embeds, with the openai provider. */
  allowOpenaiKey(fn: ServiceFunction): void {
    fn.function.addEnvironment("OPENAI_API_KEY_SECRET_NAME", this.config.openaiApiKeySecretName);
    this.openaiApiKey.grantRead(fn.function);
  }

  /**
   * Notion tokens: read-only, and only under the stack's prefix. The wildcard is needed because
   * bindings are connected after the deploy, so their secrets' names (and the random suffix AWS
   * adds to every secret ARN) are unknown at synth time; the prefix keeps it to this stack's tokens.
   */
  allowNotionTokens(fn: ServiceFunction): void {
    fn.function.addToRolePolicy(
      new PolicyStatement({
        actions: ["secretsmanager:GetSecretValue"],
        resources: [this.notionTokenArnPattern],
      }),
    );
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${this.config.notionTokenSecretPrefix}*]`,
      reason:
        "Notion token secrets are created per binding by `connect` after the deploy, so their ARNs are unknown at synth; the grant is GetSecretValue only, on this stack's own secret name prefix.",
    });
  }
}
