/**
 * An IAM stand-in for tests, just enough for `doctor`: SimulatePrincipalPolicy over the AWS query
 * protocol, answering each action and resource with the decision the test's policy gives. IAM's
 * simulator weighs the principal's own policies; so does `decide`.
 */
import { members, QueryError, startQueryProtocolServer, xml } from "./query-protocol.js";

export type Decision = "allowed" | "implicitDeny" | "explicitDeny";

export interface IamStandIn {
  url: string;
  /** Every simulation asked, in order: what a test checks was asked. */
  simulations: { principal: string; action: string; resource: string }[];
  close(): Promise<void>;
}

const XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";

export async function startIamServer(options: {
  decide: (principal: string, action: string, resource: string) => Decision;
}): Promise<IamStandIn> {
  const simulations: IamStandIn["simulations"] = [];
  const server = await startQueryProtocolServer(XMLNS, {
    SimulatePrincipalPolicy(params) {
      const principal = params.get("PolicySourceArn") ?? "";
      if (!/^arn:aws:iam::\d{12}:(role|user|group)\//.test(principal)) {
        throw new QueryError("InvalidInput", `Invalid ARN: ${principal}`);
      }
      const resources = members(params, "ResourceArns");
      const results = members(params, "ActionNames").flatMap((action) =>
        (resources.length > 0 ? resources : ["*"]).map((resource) => {
          simulations.push({ principal, action, resource });
          return (
            `<member><EvalActionName>${xml(action)}</EvalActionName><EvalResourceName>${xml(resource)}</EvalResourceName>` +
            `<EvalDecision>${options.decide(principal, action, resource)}</EvalDecision></member>`
          );
        }),
      );
      return `<SimulatePrincipalPolicyResult><EvaluationResults>${results.join("")}</EvaluationResults><IsTruncated>false</IsTruncated></SimulatePrincipalPolicyResult>`;
    },
  });
  return { url: server.url, simulations, close: server.close };
}
