/**
 * The last line of defence of extraction: an error that is not one of the domain's typed errors can
 * only come from a Notion answer of a shape this code does not expect (a field missing where nothing
 * can stand in for it). Retrying cannot change Notion's content, so it becomes a PermanentError that
 * names what was being read: the document ends in `error` with that reason, and the batch goes on.
 */

import { ExtractionSuspended } from "../../../core/extraction-control.js";
import { safeOneLine } from "../../../core/safe-text.js";
import { ConflictError, PermanentError, RetryableError } from "../../../shared/errors.js";

export async function readingNotion<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (
      error instanceof PermanentError ||
      error instanceof RetryableError ||
      error instanceof ConflictError ||
      error instanceof ExtractionSuspended
    ) {
      throw error;
    }
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new PermanentError(`Notion returned a ${what} this version cannot read (${safeOneLine(detail)})`, {
      cause: error,
    });
  }
}
