/**
 * Last line of defence for anything the CLI prints about a failure: the values of secret
 * environment variables are removed, whatever error text carried them, and the text is one line.
 */
import { safeOneLine } from "../core/safe-text.js";

const SECRET_VARIABLES = ["NOTION_TOKEN", "PINECONE_API_KEY", "OPENAI_API_KEY"];

/** A failure's text as the CLI prints it: one line, secrets removed (long enough for a full reason). */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return safeOneLine(
    text,
    SECRET_VARIABLES.map((name) => env[name]),
    2000,
  );
}
