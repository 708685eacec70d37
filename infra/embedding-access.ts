/**
 * What the embedding provider needs beyond the code: the API key of a hosted provider, or the
 * Bedrock permission to invoke the one model. Local and Pinecone Inference need nothing more
 * (Pinecone's key is already the vector functions').
 */
import { Arn, Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { StackConfig } from "./config.js";
import type { ServiceFunction } from "./function-defaults.js";
import type { ProjectSecrets } from "./secret-access.js";

export function allowEmbedding(
  fn: ServiceFunction,
  embedding: StackConfig["embedding"],
  secrets: ProjectSecrets,
) {
  fn.function.addEnvironment("EMBEDDING_PROVIDER", embedding.provider);
  fn.function.addEnvironment("EMBEDDING_MODEL", embedding.model);
  fn.function.addEnvironment("EMBEDDING_DIMENSION", String(embedding.dimension));
  if (embedding.provider === "openai") secrets.allowOpenaiKey(fn);
  if (embedding.provider === "bedrock") {
    fn.function.addToRolePolicy(
      new PolicyStatement({
        actions: ["bedrock:InvokeModel"],
        // Foundation models have no account in their ARN.
        resources: [
          Arn.format(
            { service: "bedrock", account: "", resource: "foundation-model", resourceName: embedding.model },
            Stack.of(fn),
          ),
        ],
      }),
    );
  }
}
