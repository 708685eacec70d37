/**
 * Last line of defence for anything the CLI prints about a failure: the values of secret
 * environment variables are replaced, whatever error text carried them.
 */
const SECRET_VARIABLES = ["NOTION_TOKEN", "PINECONE_API_KEY", "OPENAI_API_KEY"];

export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let redacted = text;
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (value && value.length >= 6) redacted = redacted.split(value).join(`[${name}]`);
  }
  return redacted;
}
