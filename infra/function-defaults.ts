/**
 * The one place that holds every Lambda default (runtime, architecture, bundling, logs, tracing,
 * common environment). Both functions go through it, so they cannot drift apart.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, type RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { TOKENIZER_RANKS } from "../lib/shared/bundle-assets.js";
import { metricsNamespace } from "../lib/shared/metrics.js";

/** The repository root: entries, package-lock.json and tsconfig.json are resolved from it. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const SERVICE_NAME = "notion-index-sync";

/**
 * ESM bundles of CommonJS dependencies still call `require` (for Node built-ins); ESM has none,
 * so the bundle defines one. The alias avoids clashing with an imported `createRequire`.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __nisCreateRequire } from 'node:module'; const require = __nisCreateRequire(import.meta.url);";

export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: "node22",
  minify: true,
  sourceMap: true,
  banner: ESM_REQUIRE_BANNER,
  // Prefer ESM entry points of dependencies: better tree-shaking, fewer CJS shims.
  mainFields: ["module", "main"],
  // Bundle the AWS SDK too, so Lambda runs the versions the tests ran rather than the runtime's.
  externalModules: [],
  // esbuild is installed locally: never fall back to Docker.
  forceDockerBundling: false,
  // esbuild's size table flags every bundle over 1 MB on each synth; `npm run bench:bundle` reports sizes.
  logLevel: LogLevel.ERROR,
};

/** Data files each function reads at run time, copied beside its bundle (lib/shared/bundle-assets.ts). */
export const BUNDLE_ASSETS: Record<string, readonly string[]> = {
  "functions/index/handler.ts": [TOKENIZER_RANKS],
  // A query is embedded by the dataset's model; the local model counts tokens with the same ranks.
  "functions/query/handler.ts": [TOKENIZER_RANKS],
};

/** A function's assets: where each is installed, and the file name it gets beside the bundle. */
export function bundleAssets(entry: string): { source: string; name: string }[] {
  const require = createRequire(path.join(PROJECT_ROOT, "package.json"));
  return (BUNDLE_ASSETS[entry] ?? []).map((asset) => ({
    source: require.resolve(asset),
    name: path.basename(asset),
  }));
}

export interface ServiceFunctionProps {
  /** Entry file, relative to the project root (e.g. "functions/sync/handler.ts"). */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  logLevel: string;
  /** Function-specific environment, merged over the common one. */
  environment: Record<string, string>;
  /** Applied to the log group, which outlives the function otherwise. */
  logRemovalPolicy: RemovalPolicy;
  /** Reserved concurrency (none unless given). */
  reservedConcurrency?: number;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    // An explicit log group: retention is set without the LogRetention custom resource (and its
    // wildcard IAM policy), and the group is part of the stack's lifecycle.
    this.logGroup = new LogGroup(this, "Logs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy,
    });

    // Our own role instead of AWSLambdaBasicExecutionRole, whose log permissions cover every
    // log group in the account: this one may write to its own group only.
    this.role = new Role(this, "Role", {
      description: `${props.description} (Lambda execution role)`,
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, "Function", {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: "handler",
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, "package-lock.json"),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: Duration.seconds(props.timeoutSeconds),
      role: this.role,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      bundling: {
        ...BUNDLING,
        tsconfig: path.join(PROJECT_ROOT, "tsconfig.json"),
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir, outputDir) =>
            bundleAssets(props.entry).map(
              ({ source, name }) => `cp "${source}" "${path.join(outputDir, name)}"`,
            ),
        },
      },
      environment: {
        ...commonEnvironment(props.logLevel, Stack.of(this).stackName),
        ...props.environment,
      },
      reservedConcurrentExecutions: props.reservedConcurrency,
    });

    // cdk-nag findings this construct causes on purpose, each with its reason.
    Validations.of(this.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource '*' for them (the only actions granted on '*').",
    });
    Validations.of(this.function).acknowledge({
      id: "AwsSolutions-L1",
      reason:
        "nodejs22.x is the runtime the design pins and the code is tested for (Node 20 and 22); a newer runtime is adopted deliberately, after running the tests on it.",
    });
  }
}

function commonEnvironment(logLevel: string, stackName: string): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_LOG_LEVEL: logLevel,
    // The functions' custom metrics (EMF), one namespace per stack: the dashboard and alarms read it.
    POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(stackName),
    // Stack traces point at the TypeScript sources via the bundled source maps.
    NODE_OPTIONS: "--enable-source-maps",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}
