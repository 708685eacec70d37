/**
 * cdk-nag's AwsSolutions rules run on every synth: a finding that is neither fixed nor acknowledged
 * (with its reason, next to the construct that causes it) stops the synth with the report.
 */
import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";

export function addNagChecks(app: App): AwsSolutionsChecks {
  const checks = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(checks);
  return checks;
}
