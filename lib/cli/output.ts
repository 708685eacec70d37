/** `--json` prints one JSON document and nothing else on stdout; text output is for people. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ""): void {
  process.stdout.write(`${text}\n`);
}

export function truncate(text: string, length: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

/**
 * Resolves once everything written to stdout and stderr so far has left the process. A pipe holds
 * 64 KB; past that Node queues the rest, and `process.exit` would drop it mid-string.
 */
export async function flushOutput(): Promise<void> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) =>
        new Promise<void>((resolve) =>
          stream.writableLength === 0 ? resolve() : stream.write("", () => resolve()),
        ),
    ),
  );
}

/** Ends the command with `code` once its output is out. */
export async function exitAfterOutput(code: number): Promise<never> {
  await flushOutput();
  process.exit(code);
}
