/**
 * `dev` / `npm start`: the local stack in the foreground. With no NOTION_TOKEN it indexes the
 * bundled demo workspace, shows that an unchanged page is not re-indexed and that an edited one
 * is, then prints how to query it.
 */
import { rm } from "node:fs/promises";
import { DEMO_DATABASE, DEMO_PAGES } from "../../../local/demo-workspace.js";
import { type LocalStack, startLocalStack } from "../../../local/stack.js";
import { createQueryClient } from "../../client/query-client.js";
import type { Document } from "../../core/model.js";
import { registerDocuments } from "../../documents/register.js";
import { PermanentError } from "../../shared/errors.js";
import type { Connection } from "../connect.js";
import { localInfoPath, readLocalInfo, STATE_DIR } from "../local-stack-info.js";
import { printLine } from "../output.js";
import { type Column, formatTable, terminalWidth } from "../table.js";
import { apiKeyStoreOf, createApiKey } from "./apikey.js";
import { createRunLog } from "./run-log.js";

export interface DevOptions {
  once?: boolean;
  fresh?: boolean;
  sweepInterval: number;
}

export async function devCommand(options: DevOptions): Promise<void> {
  await refuseIfRunning();
  if (options.fresh) await rm(STATE_DIR, { recursive: true, force: true });
  const { NOTION_TOKEN, NOTION_BASE_URL, PINECONE_API_KEY, PINECONE_INDEX_HOST } = process.env;
  let started: LocalStack | undefined;
  const runLog = createRunLog(() => started?.adapters.store);
  const stack = await startLocalStack({
    onBatch: runLog.onBatch,
    notionToken: NOTION_TOKEN,
    notionBaseUrl: NOTION_BASE_URL,
    pinecone:
      PINECONE_API_KEY && PINECONE_INDEX_HOST
        ? { apiKey: PINECONE_API_KEY, indexHost: PINECONE_INDEX_HOST }
        : undefined,
    sweepIntervalSeconds: options.sweepInterval,
  });
  started = stack;
  const stop = async () => {
    await stack.stop();
    await rm(localInfoPath(), { force: true });
  };
  try {
    printStack(stack);
    if (stack.info.demo) await runDemo(stack, options.once === true);
    else printLine("Add a page:  npx notion-index-sync add <Notion page id or URL> --wait");
  } catch (error) {
    await stop();
    throw error;
  }
  if (options.once) {
    await stop();
    return;
  }
  printLine();
  printLine("Running; press Ctrl+C to stop. Each document run is logged below.");
  runLog.enable();
  await new Promise<void>((resolve) => {
    const finish = () => resolve();
    process.once("SIGINT", finish);
    process.once("SIGTERM", finish);
  });
  printLine("stopping…");
  await stop();
  printLine(`stopped; documents, segments and vectors are kept in ${STATE_DIR}/`);
}

/** Two stacks cannot share the state folder (its database allows one process): say so, in one line. */
async function refuseIfRunning(): Promise<void> {
  const running = await readLocalInfo();
  if (running && running.pid !== process.pid && isAlive(running.pid)) {
    throw new PermanentError(
      `a local stack is already running (pid ${running.pid}, state folder ${STATE_DIR}/): use it from another terminal, or stop it first (Ctrl+C in its terminal, or kill ${running.pid})`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function printStack(stack: LocalStack): void {
  const { info } = stack;
  printLine("notion-index-sync local stack");
  printLine(`  DynamoDB  ${info.dynamodbEndpoint}  table ${info.tableName}`);
  printLine(`  SQS       ${info.sqsEndpoint}  sync, index and their dead-letter queues`);
  printLine(`  Pinecone  ${info.pineconeHost}${info.pineconeStandIn ? "  (stand-in)" : ""}`);
  printLine(`  Notion    ${info.notionBaseUrl}${info.demo ? "  (stand-in serving the demo workspace)" : ""}`);
  if (info.webhookUrl) {
    const sender = info.demo ? "; the demo's Notion stand-in sends it signed events" : "";
    // The binding's URL ends in its path secret: shown by `webhook url` on request, never in a log.
    const base = `${info.webhookUrl.replace(/\/+$/, "")}/notion/${info.defaults.tenantId}/${info.defaults.workspaceId}/…`;
    printLine(
      `  webhook   ${base}  (debounce ${info.webhookDebounceSeconds ?? "?"} s${sender}; \`webhook url\` prints it)`,
    );
  }
  if (info.queryUrl) printLine(`  query API ${info.queryUrl}v1/query  (keys: \`apikey create\`)`);
  printLine(`  state     ${STATE_DIR}/  (endpoints in ${localInfoPath()})`);
  printLine();
}

async function runDemo(stack: LocalStack, exitsAfter: boolean): Promise<void> {
  const { adapters, info } = stack;
  const pages = [...Object.values(DEMO_PAGES), DEMO_DATABASE];
  const started = Date.now();
  const registered = await registerDocuments(
    { store: adapters.store, syncQueue: adapters.syncQueue, clock: { now: () => new Date() } },
    { ...info.defaults, pageIds: pages.map((page) => page.id), embeddingModel: adapters.embedder.model },
  );
  await stack.waitForIdle({ timeoutMs: 120_000 });
  const documents = await Promise.all(
    registered.map((document) => adapters.store.getDocument(document.documentId)),
  );
  printLine(`1. Registered and synced ${registered.length} demo documents in ${Date.now() - started} ms:`);
  printDocuments(documents.filter((document): document is Document => document !== undefined));

  if (stack.workspace) {
    const generations = new Map(documents.map((document) => [document?.documentId, document?.generation]));
    stack.workspace.appendParagraph(
      DEMO_PAGES.faq.id,
      "Edited just now: the Pro plan now includes unlimited guest seats and priority support.",
    );
    for (const document of registered) {
      await adapters.syncQueue.send({
        tenantId: document.tenantId,
        datasetId: document.datasetId,
        documentId: document.documentId,
      });
    }
    await stack.waitForIdle({ timeoutMs: 120_000 });
    const after = await Promise.all(
      registered.map((document) => adapters.store.getDocument(document.documentId)),
    );
    const reindexed = after.filter(
      (document) => document && document.generation !== generations.get(document.documentId),
    );
    printLine();
    printLine(
      `2. Edited "${DEMO_PAGES.faq.title}" in the demo workspace (its webhook event queued a sync), then synced all ${registered.length} documents:`,
    );
    printLine(
      `   re-indexed: ${reindexed.map((document) => `${document?.title} (generation ${generations.get(document?.documentId)} → ${document?.generation})`).join(", ") || "none"}; ` +
        `the other ${registered.length - reindexed.length} were unchanged in Notion and left alone.`,
    );
  }
  if (info.queryUrl) await showQueryApi(stack, info.queryUrl);
  printLine();
  printLine(
    exitsAfter ? "Start it with `npm start`, then try:" : "Try (in another terminal, while this runs):",
  );
  printLine('  npx notion-index-sync query "who do I page when the database is down?"');
  printLine("  npx notion-index-sync status");
  printLine(`  npx notion-index-sync segments ${registered[0]?.documentId ?? "<documentId>"}`);
  printLine("  npx notion-index-sync status --totals   # what today's runs cost");
  printLine("  npx notion-index-sync doctor            # every part of the stack checked");
  printLine(
    "  npx notion-index-sync connect --oauth --tenant acme   # a start link: connect Notion through OAuth",
  );
}

function printDocuments(documents: Document[]): void {
  const right = "right" as const;
  const columns: Column[] = [
    { header: "document", cells: documents.map((d) => d.documentId) },
    { header: "title", cells: documents.map((d) => d.title), minWidth: 10 },
    { header: "status", cells: documents.map((d) => d.indexingStatus) },
    {
      header: "generation",
      cells: documents.map((d) => String(d.generation)),
      align: right,
      dropPriority: 1,
    },
    {
      header: "segments",
      cells: documents.map((d) => String(d.segmentCount)),
      align: right,
      dropPriority: 3,
    },
    { header: "tokens", cells: documents.map((d) => String(d.tokens)), align: right, dropPriority: 2 },
    {
      header: "took",
      cells: documents.map((d) => (d.indexingLatencyMs === undefined ? "-" : `${d.indexingLatencyMs} ms`)),
      align: right,
      dropPriority: 0,
    },
  ];
  for (const line of formatTable(columns, terminalWidth())) printLine(line);
}

const DEMO_QUESTION = "who do I page when the database is down?";
const DEMO_KEY_NAME = "demo";

/**
 * Step 3: the retrieval API, with a demo key made for this run (the previous run's is revoked), and
 * the `curl` line that asks it; the same request is sent here first, so the line is known to work.
 */
async function showQueryApi(stack: LocalStack, queryUrl: string): Promise<void> {
  const { info } = stack;
  const keys = apiKeyStoreOf({ adapters: stack.adapters, local: info } as Connection);
  const now = new Date().toISOString();
  for (const old of await keys.list(info.defaults.tenantId)) {
    if (old.name === DEMO_KEY_NAME && old.revokedAt === undefined) await keys.revoke(old.keyId, now);
  }
  const { key } = await createApiKey(keys, { tenantId: info.defaults.tenantId, name: DEMO_KEY_NAME });
  const body = JSON.stringify({ query: DEMO_QUESTION, datasetId: info.defaults.datasetId, topK: 3 });
  const { matches } = await createQueryClient({ url: queryUrl, apiKey: key }).query(JSON.parse(body));
  printLine();
  printLine(
    `3. The retrieval API answers on ${queryUrl}v1/query; a demo key for tenant ${info.defaults.tenantId} was made for this run (the last run's is revoked):`,
  );
  printLine(
    `   curl -s ${queryUrl}v1/query -H 'authorization: Bearer ${key}' -H 'content-type: application/json' -d '${body}'`,
  );
  const best = matches[0];
  printLine(
    best
      ? `   it answers ${matches.length} matches, the best "${best.title}" (score ${best.score.toFixed(3)}, ${best.sourceUrl})`
      : "   it answers no matches yet",
  );
}
