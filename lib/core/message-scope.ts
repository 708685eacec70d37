/**
 * Tenant isolation at the queue: a message acts only within the tenant and dataset of the document it
 * names. The queues are shared by every tenant of a stack, so a message that names a tenant or dataset
 * other than the document's own is refused rather than acted on. The document's own tenant then picks
 * the Notion binding and the vector namespace, so no message can reach another tenant's data.
 */
import { ForbiddenMessageError } from "../shared/errors.js";
import type { Document } from "./model.js";

export interface ScopedMessage {
  datasetId: string;
  documentId: string;
  /** Optional in the wire format (docs/architecture.md, Messages); every producer in this project sends it. */
  tenantId?: string | undefined;
}

export function assertMessageScope(message: ScopedMessage, document: Document): void {
  // The reason names only what the message itself said: it must not tell a forger whose document it is.
  if (message.tenantId !== undefined && message.tenantId !== document.tenantId) {
    throw new ForbiddenMessageError(
      `document ${message.documentId} does not belong to tenant ${message.tenantId}: message refused`,
    );
  }
  if (message.datasetId !== document.datasetId) {
    throw new ForbiddenMessageError(
      `document ${message.documentId} does not belong to dataset ${message.datasetId}: message refused`,
    );
  }
}
