/**
 * `notion-index-sync`: the one command (design §6). Each subcommand is a file in ./commands.
 * Failures exit non-zero with a one-line reason on stderr. Commands are imported when run, so
 * `--help` and light commands do not load every SDK.
 */
import { Command, InvalidArgumentError } from "commander";
import type { Connection } from "./connect.js";
import { redactSecrets } from "./redact.js";

const program = new Command("notion-index-sync")
  .description("Keeps a Pinecone vector index in step with Notion")
  .option("--local", "talk to the local stack (the default when .notion-index-sync/local.json exists)")
  .option("--stack <name>", "talk to a deployed stack")
  .showHelpAfterError();

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
  .option("--timeout <seconds>", "how long --wait waits", positiveInt, 120)
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, ids: string[], options) =>
      (await import("./commands/add.js")).addCommand(connection, ids, options),
    ),
  );

program
  .command("sync")
  .description("send unit sync messages: re-index what changed in Notion")
  .option("--dataset <id>", "only this dataset")
  .option("--document <id>", "only this document")
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
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, options) =>
      (await import("./commands/status.js")).statusCommand(connection, options),
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
  .option("--dataset <id>", "dataset to search")
  .option("--tenant <id>", "tenant the dataset belongs to")
  .option("--top-k <n>", "how many matches", positiveInt, 5)
  .option("--json", "print JSON")
  .action(
    withConnection(async (connection, text: string, options) =>
      (await import("./commands/query.js")).queryCommand(connection, text, options),
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

function positiveIntOrZero(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError("must be 0 or a positive integer");
  return parsed;
}

try {
  await program.parseAsync(process.argv);
  // AWS SDK sockets may keep the event loop alive; a finished command ends here (dev never gets here).
  process.exit(0);
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`notion-index-sync: ${redactSecrets(explain(reason)).replace(/\s+/g, " ").trim()}\n`);
  process.exit(1);
}

/** Turns a refused connection into the thing to do about it. */
function explain(reason: string): string {
  if (/ECONNREFUSED/.test(reason)) {
    return `${reason} (the local stack is not running: start it with \`npm start\`, or remove .notion-index-sync/local.json)`;
  }
  return reason;
}
