/**
 * `init`: creates the Pinecone index (serverless, the embedding model's dimension, the metric) when
 * it does not exist, so no step of the set-up needs a web console. An existing index is checked
 * instead: a dimension or metric the embedder cannot use is an error now, not a failed upsert later.
 * Run it before the first deploy: it prints the host `cdk deploy` needs.
 */
import {
  createPineconeIndexAdmin,
  type IndexFacts,
  METRICS,
  type Metric,
  type PineconeIndexAdmin,
} from "../../adapters/pinecone/index-admin.js";
import { PermanentError } from "../../shared/errors.js";
import type { ConnectOptions } from "../connect.js";
import { printJson, printLine } from "../output.js";
import { type PineconeTarget, pineconeTarget } from "../pinecone-target.js";
import { withProgress } from "../progress.js";

export { METRICS };

export interface InitOptions {
  name: string;
  dimension?: number;
  metric: string;
  cloud: string;
  region: string;
  json?: boolean;
}

/** Pinecone's rule for index names. */
const INDEX_NAME = /^[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?$/;

export async function initCommand(connectOptions: ConnectOptions, options: InitOptions): Promise<void> {
  if (!INDEX_NAME.test(options.name)) {
    throw new PermanentError(`--name ${options.name}: 1-45 lowercase letters, digits or hyphens`);
  }
  if (!(METRICS as readonly string[]).includes(options.metric)) {
    throw new PermanentError(`--metric ${options.metric}: must be one of ${METRICS.join(", ")}`);
  }
  const target = await pineconeTarget(connectOptions);
  const dimension = options.dimension ?? target.embedding.dimension;
  const pinecone = createPineconeIndexAdmin({
    apiKey: target.apiKey,
    controllerHostUrl: target.controllerHostUrl,
    source: target.source,
  });

  const existing = await pinecone.describe(options.name);
  if (existing) checkFits(existing, dimension, options.metric, target);
  const index =
    existing ??
    (await withProgress(
      `creating Pinecone index ${options.name} and waiting until it is ready`,
      options,
      () => createIndex(pinecone, options, dimension, target),
      () => `index ${options.name} is ready`,
    ));
  report(index, existing === undefined, options, target);
}

async function createIndex(
  pinecone: PineconeIndexAdmin,
  options: InitOptions,
  dimension: number,
  target: PineconeTarget,
): Promise<IndexFacts> {
  // Someone else may create it meanwhile: fine, it is checked below like any existing index.
  await pinecone.create({
    name: options.name,
    dimension,
    metric: options.metric as Metric,
    cloud: options.cloud,
    region: options.region,
  });
  const created = await pinecone.describe(options.name);
  if (!created) throw new PermanentError(`Pinecone created index ${options.name} but cannot describe it`);
  checkFits(created, dimension, options.metric, target);
  return created;
}

function checkFits(index: IndexFacts, dimension: number, metric: string, target: PineconeTarget): void {
  if (index.dimension !== dimension || index.metric !== metric) {
    const { provider, model } = target.embedding;
    throw new PermanentError(
      `Pinecone index ${index.name} exists with dimension ${index.dimension ?? "unknown"} and metric ${index.metric}, but ${provider}/${model} makes ${dimension} dimensions and ${metric} was asked for: choose another --name, or another embedding model`,
    );
  }
}

function report(index: IndexFacts, created: boolean, options: InitOptions, target: PineconeTarget): void {
  const sameAsStack = target.indexHost === undefined || sameHost(target.indexHost, index.host);
  if (options.json) {
    printJson({
      ...index,
      created,
      embedding: target.embedding,
      ...(sameAsStack ? {} : { stackIndexHost: target.indexHost }),
    });
    return;
  }
  const verb = created
    ? `created Pinecone index ${index.name} (serverless ${options.cloud}/${options.region})`
    : `Pinecone index ${index.name} exists`;
  printLine(
    `${verb}: ${index.dimension} dimensions, ${index.metric}, fits ${target.embedding.provider}/${target.embedding.model}`,
  );
  printLine(`host: ${index.host}`);
  if (!sameAsStack) printLine(`note: ${target.source} uses another index host, ${target.indexHost}`);
  if (target.source === "the environment")
    printLine(`next: npx cdk deploy -c pineconeIndexHost=${index.host}`);
}

function sameHost(a: string, b: string): boolean {
  const bare = (url: string) => url.replace(/^https?:\/\//, "").replace(/\/$/, "");
  return bare(a) === bare(b);
}
