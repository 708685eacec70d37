/**
 * Whether a role may do an action on a resource, asked of IAM's policy simulator
 * (SimulatePrincipalPolicy): what `doctor` uses to tell that a function's role can read a secret
 * without assuming the role. The simulator weighs the role's own policies, not the secret's
 * resource policy or its KMS key.
 */
import { IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { awsClientOptions } from "./aws-clients.js";

export type SimulatedDecision = "allowed" | "implicitDeny" | "explicitDeny";

export interface PolicySimulator {
  decide(roleArn: string, action: string, resourceArn: string): Promise<SimulatedDecision>;
  destroy(): void;
}

export function createPolicySimulator(env: NodeJS.ProcessEnv = process.env): PolicySimulator {
  // IAM is global: its endpoint lives in us-east-1 (an IAM_ENDPOINT stand-in in tests).
  const client = new IAMClient(awsClientOptions("us-east-1", env.IAM_ENDPOINT || undefined));
  return {
    async decide(roleArn, action, resourceArn) {
      const { EvaluationResults = [] } = await client.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: roleArn,
          ActionNames: [action],
          ResourceArns: [resourceArn],
        }),
      );
      const decisions = EvaluationResults.map((result) => result.EvalDecision);
      if (decisions.includes("explicitDeny")) return "explicitDeny";
      return decisions.length > 0 && decisions.every((decision) => decision === "allowed")
        ? "allowed"
        : "implicitDeny";
    },
    destroy: () => client.destroy(),
  };
}
