/**
 * Per-dataset models and per-run cost figures, in the real pipeline (harness: stand-ins and the
 * adapters built from configuration). The configured model is the local one at the index's 64
 * dimensions; a dataset made with OpenAI's text-embedding-3-small is indexed and queried with that
 * model (at 64 dimensions), and a dataset whose model cannot make 64-dimensional vectors fails with a
 * clear reason instead of writing vectors of another model.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerDocuments } from "../../lib/documents/register.js";
import { heading1, paragraph } from "../../local/notion-blocks.js";
import { type OpenAiStandIn, startOpenAiStandIn } from "../../local/openai-standin.js";
import { type Harness, startHarness, TENANT, WORKSPACE } from "../support/harness.js";

const OPENAI_KEY = "sk-test-datasets";
let h: Harness;
let openai: OpenAiStandIn;

beforeAll(async () => {
  openai = await startOpenAiStandIn({ apiKey: OPENAI_KEY });
  h = await startHarness({ OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: openai.url });
});
afterAll(async () => {
  await h?.close();
  await openai?.close();
});

const page = (title: string) => ({
  title,
  blocks: [
    heading1(title),
    ...Array.from({ length: 12 }, (_, i) =>
      paragraph(`Paragraph ${i} of ${title}: the on-call rota changes every week and is posted on Mondays.`),
    ),
  ],
});

async function registerIn(datasetId: string, embeddingModel: string, title: string): Promise<string> {
  const pageId = h.workspace.addPage(page(title));
  h.clock.advance(61_000);
  const [document] = await registerDocuments(
    { store: h.store, syncQueue: h.adapters.syncQueue, clock: h.clock },
    { tenantId: TENANT, datasetId, workspaceId: WORKSPACE, pageIds: [pageId], embeddingModel },
  );
  await h.receiveAll(h.queues.syncQueue.queueUrl);
  return (document as { documentId: string }).documentId;
}

describe("a dataset's own embedding model", () => {
  it("indexes with the dataset's model, and records the run's requests and estimated cost", async () => {
    const documentId = await registerIn("openai-ds", "text-embedding-3-small", "Rota");
    await h.sync(documentId, "openai-ds");
    const pineconeBefore = pineconeDataRequests();
    const indexed = await h.drainIndexQueue();
    expect(indexed.map((result) => result.outcome)).toEqual(["completed"]);

    const calls = openai.calls();
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.every((call) => call.model === "text-embedding-3-small" && call.dimensions === 64)).toBe(
      true,
    );
    const document = await h.store.getDocument(documentId);
    const run = document?.lastRun;
    expect(run).toMatchObject({
      embeddingProvider: "openai",
      embeddingModel: "text-embedding-3-small",
      embedded: document?.segmentCount,
      embeddingRequests: openai.requestCount(),
      pineconeWriteRequests: 1, // one upsert batch, nothing stale to delete
    });
    // Every Pinecone data-plane request of the run is counted, as the stand-in saw them.
    expect((run?.pineconeReadRequests ?? 0) + (run?.pineconeWriteRequests ?? 0)).toBe(
      pineconeDataRequests() - pineconeBefore,
    );
    expect(run?.notionRequests).toBeGreaterThanOrEqual(1);
    expect(run?.tokens).toBe(calls.reduce((sum, call) => sum + call.tokens, 0));

    // The query goes through the dataset's model too.
    const queriesBefore = openai.requestCount();
    const vector = await h.adapters.embedders
      .forDataset({ datasetId: "openai-ds", embeddingModel: "text-embedding-3-small" })
      .embedQuery("who is on call");
    expect(vector).toHaveLength(64);
    expect(openai.requestCount()).toBe(queriesBefore + 1);
  });

  it("fails with a clear reason when the dataset's model cannot make the index's dimension", async () => {
    const documentId = await registerIn("e5-ds", "multilingual-e5-large", "Travel");
    await h.sync(documentId, "e5-ds");
    const indexed = await h.drainIndexQueue();
    expect(indexed.map((result) => result.outcome)).toEqual(["error"]);
    const document = await h.store.getDocument(documentId);
    expect(document?.indexingStatus).toBe("error");
    expect(document?.error).toMatch(/dataset e5-ds cannot use embedding model multilingual-e5-large: .*1024/);
    expect(h.pinecone.ids(`${TENANT}.e5-ds`)).toEqual([]);
  });
});

function pineconeDataRequests(): number {
  return Object.entries(h.pinecone.requestCounts())
    .filter(([route]) => /vectors\/(upsert|delete|list)|\/query/.test(route))
    .reduce((sum, [, count]) => sum + count, 0);
}
