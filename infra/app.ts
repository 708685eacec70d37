/**
 * CDK app entry (`npx cdk synth`): reads the stack configuration from context and builds one
 * environment-agnostic stack, so synth needs no AWS credentials. cdk-nag checks it on the way.
 */
import { App } from "aws-cdk-lib";
import { readStackConfig, StackConfigError } from "./config.js";
import { addNagChecks } from "./nag.js";
import { NotionIndexSyncStack } from "./stack.js";

const app = new App();

try {
  const config = readStackConfig(app.node);
  if (config.pineconeIndexHost === undefined) {
    console.error(
      "pineconeIndexHost is not set: the template takes it as the parameter PineconeIndexHostParameter. " +
        "Deploy with -c pineconeIndexHost=https://<index>.svc.pinecone.io (or --parameters PineconeIndexHostParameter=...).",
    );
  }
  new NotionIndexSyncStack(app, config.stackName, {
    stackName: config.stackName,
    description: "notion-index-sync: keeps a Pinecone index in step with Notion",
    config,
  });
  addNagChecks(app);
  app.synth();
} catch (error) {
  // A configuration mistake deserves its message, not a stack trace.
  if (!(error instanceof StackConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
