/** Small domain rules, with hand-written port fakes where a port is needed. */
import { describe, expect, it } from "vitest";
import { parseNotionId } from "../../lib/adapters/notion/extraction/page-id.js";
import { loadConfig } from "../../lib/composition/config.js";
import { generationOfVectorId, type Segment, vectorId } from "../../lib/core/model.js";
import type { DocumentStore, VectorIndex } from "../../lib/core/ports.js";
import { documentIdFor } from "../../lib/documents/register.js";
import { removeGenerations } from "../../lib/indexing/remove-generations.js";
import { ConfigError } from "../../lib/shared/errors.js";

describe("vector ids", () => {
  it("encode document, generation and position, and decode the generation", () => {
    expect(vectorId("doc-1", 7, 12)).toBe("doc-1#7#12");
    expect(generationOfVectorId("doc-1#7#12")).toBe(7);
    expect(generationOfVectorId("foreign-id")).toBeUndefined();
  });
});

describe("Notion ids", () => {
  it.each([
    ["0123456789abcdef0123456789abcdef", "01234567-89ab-cdef-0123-456789abcdef"],
    ["01234567-89AB-cdef-0123-456789abcdef", "01234567-89ab-cdef-0123-456789abcdef"],
    [
      "https://www.notion.so/acme/Team-handbook-0123456789abcdef0123456789abcdef?pvs=4",
      "01234567-89ab-cdef-0123-456789abcdef",
    ],
  ])("reads %s", (input, expected) => {
    expect(parseNotionId(input)).toBe(expected);
  });

  it("refuses what is not an id", () => {
    expect(() => parseNotionId("not-a-page")).toThrow(/not a Notion page or database id/);
  });

  it("derives the same document id for the same page in the same dataset only", () => {
    const page = "01234567-89ab-cdef-0123-456789abcdef";
    expect(documentIdFor("t", "d", page)).toBe(documentIdFor("t", "d", page));
    expect(documentIdFor("t", "d", page)).not.toBe(documentIdFor("t", "other", page));
    expect(documentIdFor("t", "d", page)).not.toBe(documentIdFor("other", "d", page));
  });
});

describe("removeGenerations", () => {
  function fakes(segments: Segment[], vectorIds: string[]) {
    const deletedIds: string[][] = [];
    const deletedSegments: unknown[][] = [];
    const vectors: VectorIndex = {
      upsert: async () => undefined,
      query: async () => [],
      listIds: async (_namespace, prefix) => vectorIds.filter((id) => id.startsWith(prefix)),
      deleteIds: async (_namespace, ids) => {
        deletedIds.push(ids);
        return ids.length;
      },
    };
    const store = {
      listSegments: async () => segments,
      deleteSegments: async (_documentId: string, keys: unknown[]) => {
        deletedSegments.push(keys);
        return keys.length;
      },
    } as unknown as DocumentStore;
    return { store, vectors, deletedIds, deletedSegments };
  }

  it("keeps one generation and removes the others, including vectors without segments", async () => {
    const segment = (generation: number, position: number) =>
      ({
        documentId: "doc",
        generation,
        position,
        indexNodeId: vectorId("doc", generation, position),
      }) as Segment;
    const ports = fakes([segment(1, 0), segment(2, 0)], ["doc#1#0", "doc#2#0", "doc#1#1", "doc10#1#0"]);

    const counts = await removeGenerations(ports, { documentId: "doc", namespace: "ns", keepGeneration: 2 });

    expect(ports.deletedIds).toEqual([["doc#1#0", "doc#1#1"]]);
    expect(ports.deletedSegments).toEqual([[{ generation: 1, position: 0 }]]);
    expect(counts).toEqual({ segmentsDeleted: 1, vectorsDeleted: 2 });
  });

  it("passes an empty list, never a delete-all, when there is nothing to remove (rule 6)", async () => {
    const ports = fakes([], ["other#1#0"]);
    const counts = await removeGenerations(ports, { documentId: "doc", namespace: "ns", keepGeneration: 1 });
    expect(ports.deletedIds).toEqual([[]]);
    expect(counts).toEqual({ segmentsDeleted: 0, vectorsDeleted: 0 });
  });
});

describe("configuration", () => {
  const valid = {
    TABLE_NAME: "t",
    SYNC_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/sync",
    INDEX_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/index",
    PINECONE_INDEX_HOST: "https://index-abc.svc.pinecone.io",
    PINECONE_API_KEY: "pcsk-test-value",
  };

  it("applies defaults", () => {
    expect(loadConfig(valid)).toMatchObject({
      LEASE_SECONDS: 900,
      EMBEDDING_PROVIDER: "local",
      AWS_REGION: "us-east-1",
    });
  });

  it("reports every problem on one line, without echoing secret values", () => {
    const error = (() => {
      try {
        loadConfig({
          ...valid,
          TABLE_NAME: "",
          SYNC_QUEUE_URL: "nope",
          LEASE_SECONDS: "-1",
          PINECONE_API_KEY: "",
        });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    for (const key of ["TABLE_NAME", "SYNC_QUEUE_URL", "LEASE_SECONDS", "PINECONE_API_KEY"]) {
      expect(error?.message).toContain(key);
    }
    expect(error?.message).not.toContain("\n");
    expect(error?.message).not.toContain("pcsk-test-value");
  });
});
