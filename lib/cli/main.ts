/**
 * `notion-index-sync`: the one command (docs/cli.md). Each subcommand is a file in ./commands.
 * Failures exit non-zero with a one-line reason on stderr. Commands are imported when run, so
 * `--help` and light commands do not load every SDK.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { PermanentError } from "../shared/errors.js";
import type { Connection } from "./connect.js";
import { exitAfterOutput } from "./output.js";
import { redactSecrets } from "./redact.js";

const program = new Command("notion-index-sync")
  .description("Keeps a Pinecone vector index in step with Notion")
  .option("--local", "talk to the local stack (the default when .notion-index-sync/local.json exists)")
  .option(
    "--stack <name>",
    "talk to a deployed stack, found by its CloudFormation outputs (or NOTION_INDEX_SYNC_STACK)",
  )
  .version(packageVersion(), "-V, --version", "print the version")
  // A usage error is one line, like every failure: commander's message and where to read more.
  .configureOutput({
    outputError: (message, write) => write(`${message.replace(/\s+/g, " ").trim()} (see --help)\n`),
  })
  // Commander's own exits (--help, usage errors) go through the same flush as ours.
  .exitOverride();

/** Runs a command against the selected stack, turning any failure into one line on stderr. */
function withConnection<A extends unknown[]>(action: (connection: Connection, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    const { connect } = await import("./connect.js");
    const connection = await connect(program.opts());
    await action(connection, ...args);
  };
}

const positiveInt = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError("must be a positive integer");
  return parsed;
};

program
  .command("dev", { isDefault: true })
  .description("start the local stack in the foreground (demo workspace when NOTION_TOKEN is not set)")
  .option("--once", "index the demo workspace, print the summary and exit")
  .option("--fresh", "forget what earlier runs stored in .notion-index-sync")
  .option("--sweep-interval <seconds>", "seconds between scheduled sweeps (0 = off)", positiveIntOrZero, 300)
  .action(async (options) => (await import("./commands/dev.js")).devCommand(options));

program
  .command("add")
  .description("register Notion pages or databases and queue their first indexing")
  .argument("<ids...>", "Notion page or database ids or URLs")
  .option("--dataset <id>", "dataset (created with the automatic rule if missing)")
  .option("--tenant <id>", "tenant")
  .option("--workspace <id>", "Notion workspace of the binding")
  .option("--wait", "wait until the documents are indexed")
  .option("--timeout <seconds>", "how long --wait waits (default 120; 3600 with --follow)", positiveInt)
  .option("--follow", "follow the pages: index everything under them, now and as Notion changes")
  .option(
    "--max-documents <n>",
    "with --follow: most documents the dataset may hold (default 50000)",
    positiveInt,
  )
  .option("--dry-run", "with --follow: count what would be added; change nothing")
  .addOption(new Option("--recursive").hideHelp())
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, ids: string[], options) => {
      if (options.recursive) {
        throw new PermanentError(
          "--recursive was replaced by --follow, which also indexes pages created later (docs/scopes.md)",
        );
      }
      if (options.follow) {
        const { followCommand } = await import("./commands/scope.js");
        const { parseNotionId } = await import("../adapters/notion/extraction/page-id.js");
        await followCommand(connection, ids.map(parseNotionId), options);
        return;
      }
      await (await import("./commands/add.js")).addCommand(connection, ids, options);
    }),
  );

const dataset = program
  .command("dataset")
  .description("create a dataset, or change its process rule and doc form (re-indexing its documents)");

for (const verb of ["create", "set"] as const) {
  const command = dataset
    .command(verb)
    .description(
      verb === "create" ? "create a dataset" : "change a dataset's settings; re-indexes its documents",
    )
    .argument("<datasetId>")
    .option("--tenant <id>", "tenant")
    .option("--rule <mode>", "automatic (500 tokens, 50 overlap) | custom")
    .option("--max-tokens <n>", "custom: largest chunk, in tokens (50 to 8000)", positiveInt)
    .option(
      "--overlap <n>",
      "custom: tokens repeated between chunks (under half of the chunk)",
      positiveIntOrZero,
    )
    .option("--separator <text>", "custom: where to cut first (\\n for a newline)")
    .option("--remove-extra-spaces", "custom: collapse runs of spaces and blank lines")
    .option("--no-remove-extra-spaces", "custom: keep spaces as they are")
    .option("--remove-urls-emails", "custom: remove URLs and email addresses")
    .option("--no-remove-urls-emails", "custom: keep URLs and email addresses")
    .option("--doc-form <form>", "text | hierarchical (parent chunks give context, children are embedded)")
    .option("--parent-mode <mode>", "hierarchical: paragraph (parents of --max-tokens) | document")
    .option(
      "--child-max-tokens <n>",
      "hierarchical: largest child chunk, in tokens (default 200)",
      positiveInt,
    )
    .option("--json", "print JSON");
  if (verb === "set") {
    command
      .option("--scope <scope>", "pages | subtree | workspace: which part of Notion the dataset follows")
      .option("--root <ids...>", "subtree: the root pages and databases (ids or URLs)")
      .option("--workspace <id>", "the binding whose workspace is followed")
      .option("--max-documents <n>", "most documents the dataset may hold (default 50000)", positiveInt)
      .option("--dry-run", "count what the scope would add; change nothing");
  }
  command.action(
    withConnection(async (connection, datasetId: string, options) => {
      const commands = await import("./commands/dataset.js");
      const run = verb === "create" ? commands.datasetCreateCommand : commands.datasetSetCommand;
      await run(connection, datasetId, options);
    }),
  );
}

for (const verb of ["pause", "resume"] as const) {
  dataset
    .command(verb)
    .description(
      verb === "pause"
        ? "stop a dataset's syncs and discovery (a backfill waits)"
        : "resume a paused dataset: queue what it left",
    )
    .argument("<datasetId>")
    .option("--tenant <id>", "tenant")
    .option("--json", "print JSON")
    .action(
      withConnection(async (connection, datasetId: string, options) => {
        const commands = await import("./commands/scope.js");
        const run = verb === "pause" ? commands.datasetPauseCommand : commands.datasetResumeCommand;
        await run(connection, datasetId, options);
      }),
    );
}

dataset
  .command("reindex")
  .description("re-index the documents whose vectors predate the current metadata (or --all)")
  .argument("<datasetId>")
  .option("--tenant <id>", "tenant")
  .option("--all", "every document of the dataset")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, datasetId: string, options) =>
      (await import("./commands/dataset.js")).datasetReindexCommand(connection, datasetId, options),
    ),
  );

dataset
  .command("show")
  .description("a dataset's settings")
  .argument("<datasetId>")
  .option("--tenant <id>", "tenant")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, datasetId: string, options) =>
      (await import("./commands/dataset.js")).datasetShowCommand(connection, datasetId, options),
    ),
  );

program
  .command("sync")
  .description("send unit sync messages: re-index what changed in Notion")
  .option("--dataset <id>", "only this dataset")
  .option("--tenant <id>", "only this tenant (the dataset's, when two tenants share its id)")
  .option("--document <id>", "only this document")
  .option("--wait", "wait until the pipeline has handled them, then say how the documents stand")
  .option("--timeout <seconds>", "how long --wait waits", positiveInt, 300)
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, options) =>
      (await import("./commands/sync.js")).syncCommand(connection, options),
    ),
  );

program
  .command("resync")
  .description("send a sweep message, as the schedule does")
  .option("--dataset <id>", "only this dataset")
  .option("--tenant <id>", "only this tenant")
  .option("--wait", "wait until the sweep and the syncs it queues have been handled")
  .option("--timeout <seconds>", "how long --wait waits", positiveInt, 300)
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, options) =>
      (await import("./commands/sync.js")).resyncCommand(connection, options),
    ),
  );

program
  .command("status")
  .description("documents with status, generation, segments, tokens, timings and errors")
  .option("--dataset <id>", "only this dataset")
  .option("--document <id>", "only this document")
  .option("--totals", "cost per tenant and per dataset, today and this month (from the usage ledger)")
  .option("--tenant <id>", "only this tenant (the dataset's, when two tenants share its id)")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, options) =>
      options.totals
        ? (await import("./commands/usage-totals.js")).usageTotalsCommand(connection, options)
        : (await import("./commands/status.js")).statusCommand(connection, options),
    ),
  );

program
  .command("segments")
  .description("a document's current segments in order")
  .argument("<documentId>")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, documentId: string, options) =>
      (await import("./commands/segments.js")).segmentsCommand(connection, documentId, options),
    ),
  );

program
  .command("query")
  .description("nearest segments to a text")
  .argument("<text>")
  .option("--dataset <id...>", "dataset(s) to search (one embedding model)")
  .option("--tenant <id>", "tenant the dataset belongs to")
  .option("--top-k <n>", "how many matches (at most 50)", positiveInt, 5)
  .option("--filter <json>", "the API's filter, as JSON (docs/retrieval-api.md)")
  .option("--full", "print each match's whole chunk (default: the part around the query's words)")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, text: string, options) =>
      (await import("./commands/query.js")).queryCommand(connection, text, options),
    ),
  );

program
  .command("remove")
  .description("unregister a document and delete its segments and vectors")
  .argument("<documentId>")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, documentId: string, options) =>
      (await import("./commands/remove.js")).removeCommand(connection, documentId, options),
    ),
  );

program
  .command("pause")
  .description("pause a document: a running index stops at its next stage")
  .argument("<documentId>")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, documentId: string, options) =>
      (await import("./commands/pause.js")).pauseCommand(connection, documentId, options),
    ),
  );

program
  .command("resume")
  .description("resume a paused document")
  .argument("<documentId>")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, documentId: string, options) =>
      (await import("./commands/pause.js")).resumeCommand(connection, documentId, options),
    ),
  );

program
  .command("connect")
  .description(
    "connect a tenant's Notion workspace: the binding refers to the token, kept in a secret; --oauth prints a link that connects one through Notion's OAuth",
  )
  .option("--tenant <id>", "tenant (required with a token; --oauth: default the stack's default tenant)")
  .option("--workspace <id>", "Notion workspace (required with a token)")
  .option("--oauth", "print a signed start link of the OAuth function (a public integration)")
  .option("--valid-hours <n>", "with --oauth: how long the link works (default 24)")
  .option("--oauth-client", "store the public integration's client id and NOTION_OAUTH_CLIENT_SECRET")
  .option("--client-id <id>", "with --oauth-client: the integration's OAuth client id")
  .option(
    "--token-secret <name>",
    "an existing secret holding the token (default: store the token from --token-env in a new secret)",
  )
  .option("--token-env <name>", "the environment variable holding the token to store (default NOTION_TOKEN)")
  .option(
    "--notion-rate <rate>",
    "this binding's Notion budget, requests a second[/burst], e.g. 3/3 (default: the stack's)",
  )
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, options) => {
      if (options.oauth)
        return (await import("./commands/connect-oauth.js")).connectOAuthCommand(connection, options);
      if (options.oauthClient) {
        return (await import("./commands/connect-oauth.js")).connectOAuthClientCommand(connection, options);
      }
      await (await import("./commands/connect.js")).connectCommand(connection, options);
    }),
  );

const apikey = program.command("apikey").description("keys of the retrieval API (POST /v1/query)");
apikey
  .command("create")
  .description("create a key for a tenant (and only some of its datasets); prints it once")
  .option("--tenant <id>", "tenant the key reaches")
  .option("--dataset <id...>", "only these datasets of the tenant")
  .option("--connect-notion", "the key may also start Notion OAuth for its tenant (a product's backend)")
  .option("--name <name>", "a label, for `apikey list`")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, options) =>
      (await import("./commands/apikey.js")).apiKeyCreateCommand(connection, options),
    ),
  );
apikey
  .command("list")
  .description("list the keys (never their secrets)")
  .option("--tenant <id>", "only this tenant's")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, options) =>
      (await import("./commands/apikey.js")).apiKeyListCommand(connection, options),
    ),
  );
apikey
  .command("revoke")
  .description("revoke a key: its requests get 401 from then on")
  .argument("<keyId>")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, keyId: string, options) =>
      (await import("./commands/apikey.js")).apiKeyRevokeCommand(connection, keyId, options),
    ),
  );

const webhook = program
  .command("webhook")
  .description("a binding's Notion webhook: the URL to subscribe, the verification token Notion sent");
for (const [verb, description, exported] of [
  [
    "url",
    "print the binding's webhook URL (to paste into the integration's Webhooks tab)",
    "webhookUrlCommand",
  ],
  [
    "token",
    "print the verification token Notion sent (to paste into Notion's Verify dialog)",
    "webhookTokenCommand",
  ],
  ["reset", "let the next handshake replace the stored token (15 minutes)", "webhookResetCommand"],
] as const) {
  webhook
    .command(verb)
    .description(description)
    .option("--tenant <id>", "tenant")
    .option("--workspace <id>", "Notion workspace of the binding")
    .option("--json", "print JSON")
    .action(
      withConnection(async (connection, options) =>
        (await import("./commands/webhook.js"))[exported](connection, options),
      ),
    );
}

const dlq = program
  .command("dlq")
  .description("dead-lettered messages: why each failed, and moving them back to their queue");
const dlqQueueOption = () =>
  new Option("--queue <queue>", "only this queue's dead letters (default: both)").choices(["sync", "index"]);
dlq
  .command("list")
  .description("each dead letter's reason, source, first-seen time and body (secrets removed)")
  .addOption(dlqQueueOption())
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, options) =>
      (await import("./commands/dlq.js")).dlqListCommand(connection, options),
    ),
  );
dlq
  .command("redrive")
  .description("move dead letters back to their work queue (all, or those whose reason matches)")
  .addOption(dlqQueueOption())
  .option(
    "--reason-matches <regex>",
    "only the messages whose reason matches (a JavaScript regular expression)",
  )
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, options) =>
      (await import("./commands/dlq.js")).dlqRedriveCommand(connection, options),
    ),
  );

program
  .command("init")
  .description("create the Pinecone index (serverless, the embedding model's dimension) unless it exists")
  .option("--name <name>", "index name", "notion-index-sync")
  .option("--dimension <n>", "vector dimension (default: the embedding model's)", positiveInt)
  .option("--metric <metric>", "cosine | dotproduct | euclidean", "cosine")
  .option("--cloud <cloud>", "serverless cloud", "aws")
  .option("--region <region>", "serverless region", "us-east-1")
  .option("--json", "print JSON")
  .action(async (options) => (await import("./commands/init.js")).initCommand(program.opts(), options));

const tenant = program
  .command("tenant")
  .description("a tenant's quotas: documents, embedding tokens a day, Notion budget share");

tenant
  .command("set")
  .description("set a tenant's quotas (a number, or none to clear one)")
  .argument("[tenantId]", "tenant (default: the default tenant)")
  .option("--max-documents <n>", "documents the tenant may hold in all its datasets")
  .option("--embedding-tokens-per-day <n>", "tokens its index runs may embed a UTC day (cache hits are free)")
  .option("--notion-budget-share <fraction>", "part (0-1] of each of its bindings' Notion rate it may spend")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, tenantId: string | undefined, options) =>
      (await import("./commands/tenant.js")).tenantSetCommand(connection, tenantId, options),
    ),
  );

tenant
  .command("show")
  .description("a tenant's quotas, and what it uses of them now")
  .argument("[tenantId]", "tenant (default: the default tenant)")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, tenantId: string | undefined, options) =>
      (await import("./commands/tenant.js")).tenantShowCommand(connection, tenantId, options),
    ),
  );

program
  .command("migrate")
  .description("bring the table's items to this version's schema (idempotent; resumable)")
  .option("--max-items <n>", "stop after about this many items; the next run goes on", positiveInt)
  .option("--again", "scan again though the migration finished (changes nothing twice)")
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, options) =>
      (await import("./commands/migrate.js")).migrateCommand(connection, options),
    ),
  );

program
  .command("doctor")
  .description(
    "check the stack end to end: outputs, secrets, index, Notion tokens, webhook, queues, schedule",
  )
  .option("--timeout <seconds>", "how long each check may take", positiveInt, 10)
  .option(
    "--max-waiting <n>",
    "messages a work queue may hold waiting before it counts as backing up",
    positiveInt,
    1000,
  )
  .option("--json", "print JSON: an array of {check, ok, detail, fix}")
  // Not withConnection: a missing output or unreadable secret, which stops `connect`, is what doctor reports.
  .action(async (options) => (await import("./commands/doctor.js")).doctorCommand(program.opts(), options));

function positiveIntOrZero(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError("must be 0 or a positive integer");
  return parsed;
}

try {
  refuseUnknownCommand(process.argv.slice(2));
  await program.parseAsync(process.argv);
  // AWS SDK sockets may keep the event loop alive; a finished command ends here (dev never gets here).
  await exitAfterOutput(0);
} catch (error) {
  if (error instanceof CommanderError && error.code !== "notion-index-sync.unknownCommand") {
    // Commander has already printed its help, version or usage error.
    await exitAfterOutput(error.exitCode);
  }
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`notion-index-sync: ${redactSecrets(explain(reason))}\n`);
  await exitAfterOutput(1);
}

/**
 * `dev` is the default command, so commander would read an unknown word as dev's argument ("too many
 * arguments for 'dev'"). A first argument that is not an option must name a command.
 */
function refuseUnknownCommand(args: string[]): void {
  // Options before the command, of the program or of the default command, may take a value.
  const valued = new Set(
    [program, ...program.commands.filter((command) => command.name() === "dev")]
      .flatMap((command) => command.options)
      .filter((option) => option.required || option.optional)
      .flatMap((option) => [option.long, option.short].filter((flag) => flag !== undefined)),
  );
  const first = args.find((arg, index) => !arg.startsWith("-") && !valued.has(args[index - 1] ?? ""));
  if (first === undefined) return;
  const names = program.commands.map((command) => command.name());
  if (names.includes(first) || first === "help") return;
  throw new CommanderError(
    1,
    "notion-index-sync.unknownCommand",
    `unknown command '${first}' (commands: ${names.join(", ")}; see --help)`,
  );
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return String(manifest.version);
}

/** Turns a refused connection into the thing to do about it. */
function explain(reason: string): string {
  if (/ECONNREFUSED/.test(reason)) {
    return `${reason} (the local stack is not running: start it with \`npm start\`, or remove .notion-index-sync/local.json)`;
  }
  return reason;
}
