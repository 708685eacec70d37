/**
 * Large `--json` output arrives whole. A pipe holds 64 KB; the CLI used to exit before Node had
 * written the rest, so `status --json | jq` read half a document and the command still exited 0.
 * Here the output goes through a pipe (the child's stdout) and into a file (shell redirection), and
 * each must parse as one JSON document.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataClients } from "../../lib/adapters/aws/aws-clients.js";
import { createDynamoDbStore } from "../../lib/adapters/aws/dynamodb-store.js";
import { readLocalInfo } from "../../lib/cli/local-stack-info.js";
import type { Document, Segment } from "../../lib/core/model.js";
import { BIN, childEnv, cli, type DevProcess, startDev, stopDev } from "../support/cli-process.js";

const execFileAsync = promisify(execFile);
const DOCUMENTS = 1_000;
const SEGMENTS = 600;
const LARGE_DOCUMENT = "large-output-document-0000";

let cwd: string;
let dev: DevProcess | undefined;

/** Registers documents and one large page's segments straight in the local table. */
async function seed(): Promise<void> {
  const info = await readLocalInfo(join(cwd, ".notion-index-sync"));
  if (!info) throw new Error("dev wrote no local.json");
  const { dynamodb } = createDataClients({
    AWS_REGION: info.region,
    DYNAMODB_ENDPOINT: info.dynamodbEndpoint,
  });
  const store = createDynamoDbStore(dynamodb, info.tableName);
  const { tenantId, datasetId, workspaceId } = info.defaults;
  const now = new Date().toISOString();
  const documents: Document[] = Array.from({ length: DOCUMENTS }, (_, n) => ({
    tenantId,
    datasetId,
    documentId: `large-output-document-${String(n).padStart(4, "0")}`,
    title: `Page number ${n} with a title long enough to fill a table "and quotes"`,
    dataSourceType: "notion_import",
    dataSourceInfo: { workspaceId, pageId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}` },
    indexingStatus: "completed",
    generation: 1,
    createdAt: now,
    completedAt: now,
    isPaused: false,
    wordCount: 100,
    tokens: 120,
    segmentCount: n === 0 ? SEGMENTS : 1,
    enabled: true,
    archived: false,
  }));
  for (let start = 0; start < documents.length; start += 50) {
    await Promise.all(documents.slice(start, start + 50).map((document) => store.createDocument(document)));
  }
  const segments: Segment[] = Array.from({ length: SEGMENTS }, (_, position) => ({
    datasetId,
    documentId: LARGE_DOCUMENT,
    generation: 1,
    position,
    content: `Segment ${position}: ${'a long line of page text, "quoted" and ünïcödé; '.repeat(12)}`,
    wordCount: 90,
    tokens: 150,
    indexNodeId: `${LARGE_DOCUMENT}#1#${position}`,
    indexNodeHash: "0".repeat(64),
    source: `https://www.notion.so/page#block-${position}`,
    headingPath: ["Chapter", `Section ${position}`],
    status: "completed",
  }));
  await store.putSegments(segments);
  dynamodb.destroy();
}

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "notion-index-sync-large-output-"));
  dev = await startDev(cwd);
  await seed();
}, 180_000);

afterAll(async () => {
  if (dev) await stopDev(dev).catch(() => undefined);
  await rm(cwd, { recursive: true, force: true });
}, 60_000);

describe("--json output larger than a pipe's buffer", { timeout: 90_000 }, () => {
  it(`status --json of ${DOCUMENTS} documents arrives whole through a pipe`, async () => {
    const result = await cli(cwd, "status", "--json");
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(64 * 1024);
    const parsed = JSON.parse(result.stdout) as { documents: { documentId: string }[] };
    const ids = parsed.documents.map((document) => document.documentId);
    expect(ids.filter((id) => id.startsWith("large-output-document-"))).toHaveLength(DOCUMENTS);
  });

  it(`segments --json of a ${SEGMENTS}-segment page arrives whole through a pipe`, async () => {
    const result = await cli(cwd, "segments", LARGE_DOCUMENT, "--json");
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(128 * 1024);
    const parsed = JSON.parse(result.stdout) as { segments: { position: number }[] };
    expect(parsed.segments.map((segment) => segment.position)).toEqual(
      Array.from({ length: SEGMENTS }, (_, n) => n),
    );
  });

  it("status --json redirected into a file is whole", async () => {
    const file = join(cwd, "status.json");
    await execFileAsync("/bin/sh", ["-c", `"${process.execPath}" "${BIN}" status --json > "${file}"`], {
      cwd,
      env: childEnv(),
      timeout: 60_000,
    });
    const parsed = JSON.parse(await readFile(file, "utf8")) as { documents: unknown[] };
    expect(parsed.documents.length).toBeGreaterThanOrEqual(DOCUMENTS);
  });
});
