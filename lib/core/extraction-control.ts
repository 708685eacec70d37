/**
 * An extraction that must stop before it is done (its invocation's deadline is near) hands back where
 * it stands as a checkpoint: plain JSON that the source wrote, which the index run stores and hands
 * back to the source in the next invocation. The domain never looks inside beyond these fields.
 */

export interface ExtractionCheckpoint {
  /** The source's own format version: a checkpoint of another version is not resumed. */
  version: number;
  subject: "page" | "database";
  /** The Notion page or database being read. */
  notionId: string;
  /** Blocks read so far, for the logs. */
  blocksRead: number;
}

/** Thrown by an extraction told to pause; carries where it stands. */
export class ExtractionSuspended extends Error {
  override name = "ExtractionSuspended";
  constructor(readonly checkpoint: ExtractionCheckpoint) {
    super(`extraction of ${checkpoint.subject} ${checkpoint.notionId} paused at a checkpoint`);
  }
}

export interface ExtractionControl {
  /** Go on from here instead of from the start. */
  resume?: ExtractionCheckpoint;
  /** Asked between steps: true stops the extraction with an ExtractionSuspended. */
  pause?: () => boolean;
}
