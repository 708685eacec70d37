/**
 * Indexes one generation of a document: extract → clean → split → embed → upsert vectors → write
 * segments → `completed`. Every write is conditional on the generation, so a run that lost its
 * claim can never overwrite a newer one (rule 3); the pause flag is checked between stages.
 *
 * The hierarchical doc form embeds the child chunks only: they are the segments (segment id = vector
 * id, rule 4), and the first child of each parent also stores the parent's text, which a query
 * returns as context.
 */

import { randomUUID } from "node:crypto";
import { cleanText } from "../chunking/clean.js";
import { splitHierarchical } from "../chunking/hierarchical.js";
import { ruleFingerprint } from "../chunking/rules.js";
import { type Chunk, splitBlocks } from "../chunking/split.js";
import { countWords } from "../chunking/tokenizer.js";
import { markBindingDisconnected, tokenRefusedMessage } from "../core/binding-connection.js";
import { datasetOf } from "../core/datasets.js";
import { type ErrorClass, errorClassOf } from "../core/error-class.js";
import { ExtractionSuspended } from "../core/extraction-control.js";
import { newLease } from "../core/lease.js";
import { assertMessageScope } from "../core/message-scope.js";
import type { IndexMessage } from "../core/messages.js";
import {
  type Dataset,
  type Document,
  type IndexingStatus,
  type NotionDataSourceInfo,
  type RunCounts,
  type Segment,
  VECTOR_METADATA_VERSION,
  vectorId,
} from "../core/model.js";
import { type NotionAccessPorts, openNotionFor } from "../core/notion-access.js";
import type {
  Checkpoint,
  CheckpointStore,
  Clock,
  Embedder,
  ExtractedBlock,
  ExtractedDocument,
  IndexCheckpoint,
  Log,
  MessagePublisher,
  NotionObjectState,
  NotionSource,
  RequestMeter,
  UsageEntry,
  UsageLedger,
  VectorIndex,
  VectorRecord,
} from "../core/ports.js";
import {
  ConflictError,
  NotionNotFoundError,
  NotionTokenRefusedError,
  PermanentError,
  RetryableError,
} from "../shared/errors.js";
import { archiveClaimedDocument } from "../sync/archive-document.js";
import { recordUsage, usageOfRun, utcDay } from "../telemetry/usage.js";
import { checkEmbeddingQuota } from "../tenants/quotas.js";
import { contentHash, sha256 } from "./content-hash.js";
import { embeddedText } from "./embedded-text.js";
import { removeGenerations } from "./remove-generations.js";
import { type VectorMetadataInput, vectorMetadata } from "./vector-metadata.js";

export interface IndexPorts extends NotionAccessPorts {
  vectors: VectorIndex;
  /** Where a run that cannot finish in one invocation keeps its extraction; without it, none is kept. */
  checkpoints?: CheckpointStore;
  /** Where a run sends itself to go on in the next invocation (the index queue). */
  indexQueue?: MessagePublisher;
  /** The configured embedder: used for a dataset unless `embedders` picks another. */
  embedder: Embedder;
  /**
   * The embedder for a dataset's own model (lib/composition/dataset-embedders.ts), so that a namespace
   * never mixes two models' vectors. Throws a PermanentError for a model that cannot be used.
   */
  embedders?: { forDataset(dataset: Dataset): Embedder };
  /** Where each run's usage is added up per dataset and day (`status --totals`); without it, nowhere. */
  usage?: UsageLedger;
  clock: Clock;
  log: Log;
}

export interface IndexOptions {
  leaseSeconds: number;
  /**
   * A run stops reading this long before its invocation's deadline, saves a checkpoint and sends
   * itself on (default 45 s: a Notion request's timeout, a budget wait, the save and the send).
   */
  stopBeforeDeadlineMs?: number;
  /** A long read saves a checkpoint and renews its lease this often (default 60 s). */
  checkpointEveryMs?: number;
  /**
   * Embed each chunk after its page's title and heading path (lib/indexing/embedded-text.ts); default
   * true. Off only to measure what the context costs (npm run bench:embedding).
   */
  embedContext?: boolean;
}

/** The invocation a run lives in: how long it has left (Lambda's getRemainingTimeInMillis). */
export interface Invocation {
  remainingMs(): number;
}

const DEFAULT_STOP_BEFORE_DEADLINE_MS = 45_000;
const DEFAULT_CHECKPOINT_EVERY_MS = 60_000;

export type IndexOutcome =
  | "missing" // no such document
  | "stale" // the message's generation is not the document's current one: dropped
  | "duplicate" // this generation is already indexed
  | "paused"
  | "archived" // the page went away while we were indexing
  | "continued" // the invocation's time ran short: a checkpoint is saved and the run sent itself on
  | "superseded" // another delivery of this run saved a later checkpoint: it goes on, this one stops
  | "completed"
  | "error";

export interface IndexResult {
  outcome: IndexOutcome;
  documentId: string;
  generation: number;
  reason?: string;
  /** Set with outcome `error`: what kind of failure (for metrics and alarms). */
  errorClass?: ErrorClass;
  counts: RunCounts;
  /**
   * Set with outcome `completed` when the content searchers see changed (a first index, or other
   * text): since when the change could be known (the Notion edit, or the registration when that came
   * later), and when queries began serving it. A re-index of the same text (a new rule or model) has
   * none: nothing was late.
   */
  freshness?: { changedAt: string; servedAt: string };
}

const NO_COUNTS: RunCounts = {
  segmentsWritten: 0,
  vectorsDeleted: 0,
  segmentsDeleted: 0,
  tokens: 0,
  embedded: 0,
  cached: 0,
};

/** Thrown between stages when the user paused the document. */
class PausedSignal extends Error {}

/** Thrown when the run saved a checkpoint and sent itself on to the next invocation. */
class ContinuedSignal extends Error {}

/** Thrown when another delivery of the same run saved a later checkpoint: that one goes on. */
class SupersededSignal extends Error {}

export async function indexDocument(
  ports: IndexPorts,
  message: IndexMessage,
  options: IndexOptions,
  invocation?: Invocation,
): Promise<IndexResult> {
  const { documentId, generation } = message;
  const result = (outcome: IndexOutcome, extra: Partial<IndexResult> = {}): IndexResult => ({
    outcome,
    documentId,
    generation,
    counts: { ...NO_COUNTS },
    ...extra,
  });

  const document = await ports.store.getDocument(documentId);
  if (!document) {
    ports.log.warn("document not found; index message acknowledged", { ...message });
    return result("missing");
  }
  assertMessageScope(message, document);
  if (document.generation !== generation) {
    ports.log.info("stale index message dropped", { documentId, generation, current: document.generation });
    return result("stale");
  }
  if (document.indexingStatus === "completed" || document.indexingStatus === "archived") {
    return result("duplicate");
  }

  const openedAt = ports.clock.now();
  const run = new IndexRun(ports, document, options, invocation);
  try {
    return await run.execute();
  } catch (error) {
    if (error instanceof ContinuedSignal) return result("continued");
    if (error instanceof SupersededSignal) {
      ports.log.info("another delivery of this run saved a later checkpoint; this one stops", {
        documentId,
        generation,
      });
      return result("superseded");
    }
    if (error instanceof PausedSignal) {
      await run.settle({ indexingStatus: "paused", stoppedAt: ports.clock.now().toISOString() });
      ports.log.info("indexing paused", { documentId, generation });
      return result("paused");
    }
    if (error instanceof ConflictError) {
      // A newer generation took the document over: whatever this run wrote is now an orphan.
      await run.discardOwnOutput();
      return result("stale");
    }
    let reason = error instanceof Error ? error.message : String(error);
    if (error instanceof NotionTokenRefusedError) {
      // As a sync does (lib/sync/sync-document.ts): the binding is marked, nothing is deleted.
      const binding = { tenantId: document.tenantId, workspaceId: document.dataSourceInfo.workspaceId };
      await markBindingDisconnected(ports, binding, ports.clock.now(), openedAt);
      reason = tokenRefusedMessage(binding.workspaceId);
    }
    await run.settle({ indexingStatus: "error", error: reason, stoppedAt: ports.clock.now().toISOString() });
    // A failure no retry can mend leaves nothing to resume; a retried one resumes from its checkpoint.
    if (error instanceof PermanentError) await ports.checkpoints?.delete(documentId);
    ports.log.error("indexing failed", { documentId, generation, reason });
    // Retryable failures go back to the queue; the status already says what happened.
    if (error instanceof RetryableError || !(error instanceof PermanentError)) throw error;
    return result("error", { reason, errorClass: errorClassOf(error) });
  }
}

/** One attempt at indexing one generation; holds the state the stages share. */
class IndexRun {
  private readonly startedAt: Date;
  private readonly runId = randomUUID();
  private dataset: Dataset | undefined;
  /** The Pinecone requests this run made (counted by the adapter). */
  /** The Pinecone requests of this run, counted by the vector index into it. */
  readonly meter: RequestMeter = { pineconeReads: 0, pineconeWrites: 0 };

  constructor(
    private readonly ports: IndexPorts,
    private readonly document: Document,
    private readonly options: IndexOptions,
    private readonly invocation: Invocation | undefined,
  ) {
    this.startedAt = ports.clock.now();
  }

  async execute(): Promise<IndexResult> {
    const { ports, document } = this;
    const { documentId, generation } = document;
    const info = document.dataSourceInfo;
    this.dataset = await datasetOf(ports.store, document);
    const namespace = this.dataset.vectorNamespace;
    const rule = this.dataset.processRule;
    const fingerprint = ruleFingerprint(rule, this.dataset.docForm);

    await this.enterStage("parsing", {});
    const source = await openNotionFor(ports, document);
    let state: Awaited<ReturnType<typeof source.getState>>;
    try {
      state = await source.getState(info.pageId, info.type);
    } catch (error) {
      if (!(error instanceof NotionNotFoundError)) throw error;
      return this.archive("the page was deleted or is no longer shared with the integration");
    }
    if (state.inTrash || state.archived)
      return this.archive(`the page is ${state.inTrash ? "in trash" : "archived"} in Notion`);
    const { extracted, readAt } = await this.extract(source, info.pageId, state);

    await this.enterStage("cleaning", { parsingCompletedAt: ports.clock.now().toISOString() });
    const cleaned: ExtractedBlock[] = extracted.blocks
      .map((block) => ({ ...block, text: cleanText(block.text, rule) }))
      .filter((block) => block.text.trim().length > 0);

    await this.enterStage("splitting", { cleaningCompletedAt: ports.clock.now().toISOString() });
    const { chunks, parents } = splitFor(this.dataset, cleaned);
    const embedder = ports.embedders?.forDataset(this.dataset) ?? ports.embedder;

    await this.enterStage("indexing", { splittingCompletedAt: ports.clock.now().toISOString() });
    const title = extracted.title || state.title;
    const withContext = this.options.embedContext ?? true;
    const embedded = await embedder.embedDocuments(
      chunks.map((chunk) => (withContext ? embeddedText(chunk, title) : chunk.content)),
      { cacheScope: document.tenantId },
    );
    const records = this.vectorRecords(chunks, embedded.vectors, {
      title,
      type: state.type,
      lastEditedTime: state.lastEditedTime,
      units: extracted.units,
    });
    await ports.vectors.upsert(namespace, records, this.meter);
    const segments = chunks.map((chunk, position) => this.segment(chunk, position, chunks, parents));
    await ports.store.putSegments(segments);
    // Queries switch to this generation now that all of it is written, before the old one goes.
    await ports.store.updateDocument(documentId, generation, { servingGeneration: generation });
    const servedAt = ports.clock.now().toISOString();
    // Older generations, and what an earlier attempt at this one wrote beyond our positions, go:
    // exactly one generation stays, equal to the segments id for id (rule 4).
    const removed = await removeGenerations(ports, {
      documentId,
      namespace,
      keepGeneration: generation,
      keepPositions: segments.length,
      meter: this.meter,
    });

    const counts: RunCounts = {
      segmentsWritten: segments.length,
      segmentsDeleted: removed.segmentsDeleted,
      vectorsDeleted: removed.vectorsDeleted,
      tokens: embedded.tokens,
      embedded: embedded.embedded,
      cached: embedded.cached,
      embeddingProvider: embedder.provider,
      embeddingModel: embedder.model,
      embeddingRequests: embedded.requests ?? 0,
      cacheRequests: embedded.cacheRequests ?? 0,
      notionRequests: extracted.stats.requests,
      pineconeReadRequests: this.meter.pineconeReads,
      pineconeWriteRequests: this.meter.pineconeWrites,
      ...(extracted.stats.skipped > 0 ? { gaps: gapsByType(extracted.stats.skippedTypes) } : {}),
    };
    const completedAt = ports.clock.now();
    // Stored only now that the content is in the index (rule 5).
    const indexedInfo: NotionDataSourceInfo = {
      ...info,
      type: state.type,
      lastEditedTime: state.lastEditedTime,
      contentReadAt: readAt,
      contentHash: contentHash(extracted),
      ruleFingerprint: fingerprint,
      metadataVersion: VECTOR_METADATA_VERSION,
      ...(extracted.dataSourceIds === undefined ? {} : { dataSourceIds: extracted.dataSourceIds }),
    };
    await ports.store.updateDocument(
      documentId,
      generation,
      {
        indexingStatus: "completed",
        title,
        completedAt: completedAt.toISOString(),
        indexingLatencyMs: completedAt.getTime() - this.startedAt.getTime(),
        segmentCount: segments.length,
        tokens: segments.reduce((sum, segment) => sum + segment.tokens, 0),
        wordCount: segments.reduce((sum, segment) => sum + segment.wordCount, 0),
        error: undefined,
        stoppedAt: undefined,
        archived: false,
        lastRun: counts,
        dataSourceInfo: indexedInfo,
      },
      { releaseLease: true },
    );
    await ports.checkpoints?.delete(documentId);
    if (ports.usage) {
      const entry: UsageEntry = {
        tenantId: this.document.tenantId,
        day: utcDay(completedAt),
        subject: { kind: "dataset", datasetId: this.document.datasetId },
        counts: usageOfRun(counts),
      };
      await recordUsage(ports.usage, [entry], ports.log);
    }
    await this.recheckRule(fingerprint, indexedInfo);
    ports.log.info("document indexed", { documentId, generation, ...counts });
    return {
      outcome: "completed",
      documentId,
      generation,
      counts,
      ...freshnessOf(document, info.contentHash, indexedInfo, servedAt),
    };
  }

  /**
   * Reads the object's content, from the last checkpoint when one was saved for the same content
   * (by this generation's earlier invocations, or by an older generation whose run died). A read
   * that runs long saves a checkpoint and renews the lease every `checkpointEveryMs`; one that would
   * outlive its invocation saves, sends itself on to the next, and stops (ContinuedSignal).
   */
  private async extract(
    source: NotionSource,
    pageId: string,
    state: NotionObjectState,
  ): Promise<{ extracted: ExtractedDocument; readAt: string }> {
    const { ports, document } = this;
    const stored = await ports.checkpoints?.load<IndexCheckpoint>(document.documentId);
    // Before the extraction and any embedding, a tenant past its tokens of the day spends nothing more;
    // a run of this generation that started under the quota (it saved a checkpoint) finishes.
    if (stored?.generation !== document.generation) {
      await checkEmbeddingQuota(ports, document.tenantId, ports.clock.now());
    }
    const usable =
      stored !== undefined &&
      stored.generation <= document.generation &&
      stored.data.lastEditedTime === state.lastEditedTime &&
      stored.data.type === state.type
        ? stored
        : undefined;
    const readAt = usable?.data.readAt ?? ports.clock.now().toISOString();
    // Saves number on from the stored one of this generation, usable or not: the fence counts them.
    let sequence = stored?.generation === document.generation ? stored.sequence : 0;
    let resume = usable?.data.extraction;
    if (resume !== undefined) {
      ports.log.info("indexing resumes from a checkpoint", {
        documentId: document.documentId,
        generation: document.generation,
        savedBy: { generation: usable?.generation, save: usable?.sequence },
        blocksRead: resume.blocksRead,
      });
    }
    const stopBeforeMs = this.options.stopBeforeDeadlineMs ?? DEFAULT_STOP_BEFORE_DEADLINE_MS;
    const everyMs = this.options.checkpointEveryMs ?? DEFAULT_CHECKPOINT_EVERY_MS;
    const deadlineNear = () => (this.invocation?.remainingMs() ?? Number.POSITIVE_INFINITY) < stopBeforeMs;
    for (;;) {
      const savedAt = ports.clock.now().getTime();
      // At least one step per invocation, however little time is left: every invocation moves on.
      let steps = 0;
      const pause =
        ports.checkpoints === undefined
          ? undefined
          : () => steps++ > 0 && (deadlineNear() || ports.clock.now().getTime() - savedAt >= everyMs);
      try {
        return { extracted: await source.extract(pageId, state.type, { resume, pause }), readAt };
      } catch (error) {
        if (!(error instanceof ExtractionSuspended)) throw error;
        sequence += 1;
        await this.saveCheckpoint({
          generation: document.generation,
          sequence,
          data: {
            lastEditedTime: state.lastEditedTime,
            type: state.type,
            readAt,
            extraction: error.checkpoint,
          },
        });
        // Renews the lease (a run that makes progress keeps its document) and honours a pause.
        await this.enterStage("parsing", {});
        resume = error.checkpoint;
        if (deadlineNear()) await this.continueInNextInvocation(sequence, error.checkpoint.blocksRead);
      }
    }
  }

  private async saveCheckpoint(checkpoint: Checkpoint<IndexCheckpoint>): Promise<void> {
    try {
      await this.ports.checkpoints?.save(this.document.documentId, checkpoint);
    } catch (error) {
      if (error instanceof ConflictError) throw new SupersededSignal();
      throw error;
    }
  }

  private async continueInNextInvocation(sequence: number, blocksRead: number): Promise<never> {
    const { tenantId, datasetId, documentId, generation } = this.document;
    if (this.ports.indexQueue === undefined) {
      throw new RetryableError(`document ${documentId} needs another invocation and no index queue is wired`);
    }
    await this.ports.indexQueue.send({ tenantId, datasetId, documentId, generation });
    this.ports.log.info("invocation ending: indexing continues in the next one from its checkpoint", {
      documentId,
      generation,
      save: sequence,
      blocksRead,
    });
    throw new ContinuedSignal();
  }

  /**
   * The dataset's rule may have changed while this run split with the old one, after the rule change
   * marked this document: then the content is marked as not indexed with the current rule, so the next
   * sync re-indexes it.
   */
  private async recheckRule(fingerprint: string, indexedInfo: NotionDataSourceInfo): Promise<void> {
    const current = await datasetOf(this.ports.store, this.document);
    if (ruleFingerprint(current.processRule, current.docForm) === fingerprint) return;
    try {
      await this.ports.store.updateDocument(this.document.documentId, this.document.generation, {
        dataSourceInfo: { ...indexedInfo, lastEditedTime: undefined },
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /** Records the stage, renews the lease, and stops if the user paused the document. */
  private async enterStage(status: IndexingStatus, timestamps: Partial<Document>): Promise<void> {
    const current = await this.ports.store.getDocument(this.document.documentId);
    if (current?.isPaused) throw new PausedSignal();
    const lease = newLease(this.ports.clock.now(), this.options.leaseSeconds, this.runId);
    await this.ports.store.updateDocument(
      this.document.documentId,
      this.document.generation,
      { ...timestamps, indexingStatus: status },
      { lease },
    );
  }

  /** Final status of a run that did not complete; a lost claim is not an error of ours. */
  async settle(patch: Partial<Document>): Promise<void> {
    try {
      await this.ports.store.updateDocument(this.document.documentId, this.document.generation, patch, {
        releaseLease: true,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /** Removes this generation's vectors and segments, written before a newer generation took over. */
  async discardOwnOutput(): Promise<void> {
    const { documentId, generation } = this.document;
    const namespace = (this.dataset ?? (await datasetOf(this.ports.store, this.document))).vectorNamespace;
    const ids = await this.ports.vectors.listIds(namespace, `${documentId}#${generation}#`, this.meter);
    await this.ports.vectors.deleteIds(namespace, ids, this.meter);
    const own = await this.ports.store.listSegments(documentId, { generation });
    await this.ports.store.deleteSegments(
      documentId,
      own.map(({ position }) => ({ generation, position })),
    );
  }

  private async archive(reason: string): Promise<IndexResult> {
    const namespace = (this.dataset as Dataset).vectorNamespace;
    const removed = await archiveClaimedDocument(this.ports, this.document, namespace, reason);
    return {
      outcome: "archived",
      documentId: this.document.documentId,
      generation: this.document.generation,
      reason,
      counts: { ...NO_COUNTS, ...removed },
    };
  }

  private vectorRecords(
    chunks: EmbeddedChunk[],
    vectors: number[][],
    facts: Pick<VectorMetadataInput, "title" | "type" | "lastEditedTime" | "units">,
  ): VectorRecord[] {
    const { documentId, generation } = this.document;
    return chunks.map((chunk, position) => ({
      id: vectorId(documentId, generation, position),
      values: vectors[position] ?? [],
      metadata: vectorMetadata({ document: this.document, chunk, position, ...facts }),
    }));
  }

  private segment(
    chunk: EmbeddedChunk,
    position: number,
    chunks: EmbeddedChunk[],
    parents: Chunk[],
  ): Segment {
    const { datasetId, documentId, generation } = this.document;
    const segment: Segment = {
      datasetId,
      documentId,
      generation,
      position,
      content: chunk.content,
      wordCount: countWords(chunk.content),
      tokens: chunk.tokens,
      indexNodeId: vectorId(documentId, generation, position),
      indexNodeHash: sha256(chunk.content),
      source: chunk.sourceUrl,
      headingPath: chunk.headingPath,
      status: "completed",
    };
    if (chunk.parentIndex === undefined) return segment;
    const parent = parents[chunk.parentIndex] as Chunk;
    // The parent's text is stored once, with its first child.
    const first = chunks[position - 1]?.parentIndex !== chunk.parentIndex;
    return first
      ? {
          ...segment,
          parentIndex: chunk.parentIndex,
          parentContent: parent.content,
          parentTokens: parent.tokens,
        }
      : { ...segment, parentIndex: chunk.parentIndex };
  }
}

/** A chunk to embed: a text chunk, or a hierarchical child with its parent's index. */
type EmbeddedChunk = Chunk & { parentIndex?: number };

function splitFor(dataset: Dataset, blocks: ExtractedBlock[]): { chunks: EmbeddedChunk[]; parents: Chunk[] } {
  if (dataset.docForm !== "hierarchical")
    return { chunks: splitBlocks(blocks, dataset.processRule), parents: [] };
  const { children, parents } = splitHierarchical(blocks, dataset.processRule);
  return { chunks: children, parents };
}

/**
 * What was left out, by block type, as the document keeps it. A type is Notion's data: one that is
 * not a plain name (`__proto__`, `constructor`, an odd string) is counted as `other`, so it can
 * never be a key with a meaning of its own.
 */
function gapsByType(skipped: Record<string, number>): Record<string, number> {
  const gaps = new Map<string, number>();
  for (const [type, count] of Object.entries(skipped)) {
    // Names an object already has (`constructor`) would confuse the DynamoDB marshaller.
    const name = /^[a-z][a-z0-9_]{0,63}$/.test(type) && !(type in Object.prototype) ? type : "other";
    gaps.set(name, (gaps.get(name) ?? 0) + count);
  }
  return Object.fromEntries(gaps);
}

function freshnessOf(
  document: Document,
  previousContentHash: string | undefined,
  indexed: NotionDataSourceInfo,
  servedAt: string,
): Pick<IndexResult, "freshness"> {
  if (indexed.lastEditedTime === undefined || indexed.contentHash === previousContentHash) return {};
  const changedAt = Math.max(Date.parse(indexed.lastEditedTime), Date.parse(document.createdAt));
  if (!Number.isFinite(changedAt)) return {};
  return { freshness: { changedAt: new Date(changedAt).toISOString(), servedAt } };
}
