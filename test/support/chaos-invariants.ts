/**
 * The invariants checked once a chaos scenario has gone quiet (the correctness rules of docs/architecture.md), against the stand-ins'
 * own state: the Notion workspaces' current pages, DynamoDB's documents and segments, Pinecone's
 * vectors, and the dead-letter queues.
 */
import { DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { createNotionConnector } from "../../lib/adapters/notion/notion-source.js";
import { cleanText } from "../../lib/chunking/clean.js";
import { splitBlocks } from "../../lib/chunking/split.js";
import { type Dataset, WORKING_STATUSES } from "../../lib/core/model.js";
import { contentHash } from "../../lib/indexing/content-hash.js";
import type { ChaosDriver } from "./chaos-driver.js";
import { type ChaosWorld, TOKENS } from "./chaos-world.js";
import { type StandIns, TEST_CLIENT_RATE } from "./harness.js";

export type Invariant =
  | "settles"
  | "live-document-completed-with-latest-content"
  | "one-generation-segments-equal-vectors"
  | "no-orphan-vector"
  | "no-working-status-no-lease"
  | "deleted-page-has-no-content"
  | "dead-letters-only-poison";

export interface Violation {
  invariant: Invariant;
  detail: string;
}

export async function checkInvariants(
  standIns: StandIns,
  world: ChaosWorld,
  driver: ChaosDriver,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const fail = (invariant: Invariant, detail: string) => violations.push({ invariant, detail });
  const { store } = world.adapters;
  // A fault-free client with production settings reads the truth.
  const notion = createNotionConnector({ baseUrl: standIns.notion.url, rate: TEST_CLIENT_RATE });

  for (const [index, tenant] of world.tenants.entries()) {
    const dataset = (await store.getDataset(tenant.tenantId, tenant.datasetId)) as Dataset;
    const source = notion.open(TOKENS[index] as string);
    const vectorIds = standIns.pinecone.ids(tenant.namespace);
    const expectedVectors = new Set<string>();

    for (const [page, documentId] of tenant.documentIds.entries()) {
      const label = `${tenant.tenantId} page ${page} (document ${documentId})`;
      const document = await store.getDocument(documentId);
      if (document === undefined) {
        fail("live-document-completed-with-latest-content", `${label}: document record missing`);
        continue;
      }
      const state = `status ${document.indexingStatus}, generation ${document.generation}`;
      if (WORKING_STATUSES.includes(document.indexingStatus) || document.lease !== undefined) {
        fail("no-working-status-no-lease", `${label}: ${state}, lease ${JSON.stringify(document.lease)}`);
      }
      const segments = (await store.listSegments(documentId)).sort((a, b) => a.position - b.position);
      const vectors = vectorIds.filter((id) => id.startsWith(`${documentId}#`));
      const pageId = tenant.pageIds[page] as string;
      const stored = tenant.workspace.visiblePage(pageId);
      const live = stored !== undefined && !stored.inTrash;

      if (!live) {
        if (segments.length > 0 || vectors.length > 0) {
          fail(
            "deleted-page-has-no-content",
            `${label}: page ${stored ? "in trash" : "deleted"}, ${segments.length} segments and ${vectors.length} vectors left (${state})`,
          );
        }
        continue;
      }

      const extracted = await source.extract(pageId, "page");
      const expectedChunks = splitBlocks(
        extracted.blocks
          .map((block) => ({ ...block, text: cleanText(block.text, dataset.processRule) }))
          .filter((block) => block.text.trim().length > 0),
        dataset.processRule,
      ).map((chunk) => chunk.content);
      const contents = segments.map((segment) => segment.content);
      if (document.indexingStatus !== "completed") {
        fail("live-document-completed-with-latest-content", `${label}: ${state}, error ${document.error}`);
      } else if (
        document.dataSourceInfo.contentHash !== contentHash(extracted) ||
        JSON.stringify(contents) !== JSON.stringify(expectedChunks)
      ) {
        const at = firstDifference(contents, expectedChunks);
        fail(
          "live-document-completed-with-latest-content",
          `${label}: ${state}, indexed ${JSON.stringify(document.dataSourceInfo)}; segment ${at} is ${JSON.stringify(contents[at])} but Notion's content gives ${JSON.stringify(expectedChunks[at])} (${contents.length} vs ${expectedChunks.length} chunks)`,
        );
      }
      const generations = [...new Set(segments.map((segment) => segment.generation))];
      const segmentIds = segments.map((segment) => segment.indexNodeId).sort();
      if (
        generations.some((generation) => generation !== document.generation) ||
        JSON.stringify(segmentIds) !== JSON.stringify([...vectors].sort()) ||
        document.segmentCount !== segments.length
      ) {
        fail(
          "one-generation-segments-equal-vectors",
          `${label}: ${state}, segment generations ${generations}, segments ${segmentIds.join(",")} vs vectors ${vectors.join(",")}, segmentCount ${document.segmentCount}`,
        );
      }
      for (const id of segmentIds) expectedVectors.add(id);
    }

    const orphans = vectorIds.filter((id) => !expectedVectors.has(id));
    if (orphans.length > 0) {
      fail("no-orphan-vector", `namespace ${tenant.namespace}: ${orphans.join(", ")}`);
    }
  }
  const ours = new Set(world.tenants.map((tenant) => tenant.namespace));
  for (const namespace of standIns.pinecone.namespaces()) {
    if (namespace.startsWith(`chaos-s${world.setup.seed}-`) && !ours.has(namespace)) {
      fail("no-orphan-vector", `unexpected namespace ${namespace}`);
    }
  }

  for (const queue of ["sync", "index"] as const) {
    const { syncDlq, indexDlq } = standIns.queues;
    const bodies = await receiveAll(world, (queue === "sync" ? syncDlq : indexDlq).queueUrl);
    const poison = new Set(driver.poisoned[queue]);
    const unexpected = bodies.filter((body) => !poison.has(body));
    const missing = [...poison].filter((body) => !bodies.includes(body));
    if (unexpected.length > 0 || missing.length > 0) {
      fail(
        "dead-letters-only-poison",
        `${queue} DLQ: unexpected ${JSON.stringify(unexpected)}, poison not dead-lettered ${JSON.stringify(missing)}`,
      );
    }
  }
  return violations;
}

function firstDifference(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return 0;
}

/** Receives and deletes every message on a queue; returns the bodies. */
export async function receiveAll(world: ChaosWorld, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const received = await world.adapters.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return bodies;
    for (const message of messages) {
      await world.adapters.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      bodies.push(message.Body ?? "");
    }
  }
}
