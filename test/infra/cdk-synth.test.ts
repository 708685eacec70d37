/**
 * A newcomer's first command: `npx cdk synth` on a fresh clone, with no context and no AWS
 * credentials, through the real CDK CLI (bundling included). The Pinecone host is then a parameter.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULTS } from "../../infra/config.js";
import { PROJECT_ROOT } from "../../infra/function-defaults.js";

const execFileAsync = promisify(execFile);
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The environment without anything AWS: no credentials, no profile, no region. */
function noAwsEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, CDK_DISABLE_CLI_TELEMETRY: "true" };
  for (const name of Object.keys(env))
    if (name.startsWith("AWS_") || name.startsWith("CDK_DEFAULT")) delete env[name];
  return env;
}

describe("npx cdk synth on a fresh clone", () => {
  it("succeeds with no context and no credentials, and asks for the Pinecone host as a parameter", async () => {
    const out = await mkdtemp(join(tmpdir(), "nis-synth-"));
    const home = await mkdtemp(join(tmpdir(), "nis-home-"));
    dirs.push(out, home);
    const cdk = join(PROJECT_ROOT, "node_modules", ".bin", "cdk");
    const { stderr } = await execFileAsync(cdk, ["synth", "--quiet", "--output", out], {
      cwd: PROJECT_ROOT,
      env: noAwsEnv(home),
      timeout: 120_000,
    });
    expect(stderr).toContain("PineconeIndexHostParameter");
    const template = JSON.parse(await readFile(join(out, `${DEFAULTS.stackName}.template.json`), "utf8"));
    expect(template.Parameters.PineconeIndexHostParameter).toMatchObject({ Type: "String" });
    expect(template.Outputs.PineconeIndexHost.Value).toEqual({ Ref: "PineconeIndexHostParameter" });
  }, 150_000);
});
