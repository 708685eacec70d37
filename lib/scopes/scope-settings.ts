/**
 * A dataset's scope as `dataset set --scope` and `add --follow` ask for it, checked up front: the
 * kind, its roots (subtree only), the binding, the maximum. Pure.
 */
import { type DatasetScope, DEFAULT_MAX_DOCUMENTS, type ScopeKind } from "../core/model.js";
import { PermanentError } from "../shared/errors.js";

export const SCOPE_KINDS: readonly ScopeKind[] = ["pages", "subtree", "workspace"];
/** Far above what one dataset should hold: a guard against a typo, not a plan. */
const MAX_MAX_DOCUMENTS = 1_000_000;

export interface ScopeRequest {
  kind: string;
  workspaceId: string;
  roots: string[];
  maxDocuments?: number;
}

export function scopeFrom(
  request: ScopeRequest,
  previous: DatasetScope | undefined,
  now: Date,
): DatasetScope {
  const kind = request.kind as ScopeKind;
  if (!SCOPE_KINDS.includes(kind)) {
    throw new PermanentError(`--scope must be one of ${SCOPE_KINDS.join(", ")}, got ${request.kind}`);
  }
  const roots = [...new Set(request.roots)];
  if (kind === "subtree" && roots.length === 0) {
    throw new PermanentError("--scope subtree needs at least one --root page or database");
  }
  if (kind !== "subtree" && roots.length > 0) {
    throw new PermanentError(`--root is for --scope subtree only (got --scope ${kind})`);
  }
  const maxDocuments = request.maxDocuments ?? previous?.maxDocuments ?? DEFAULT_MAX_DOCUMENTS;
  if (!Number.isInteger(maxDocuments) || maxDocuments < 1 || maxDocuments > MAX_MAX_DOCUMENTS) {
    throw new PermanentError(
      `--max-documents must be a whole number from 1 to ${MAX_MAX_DOCUMENTS}, got ${maxDocuments}`,
    );
  }
  return {
    kind,
    workspaceId: request.workspaceId,
    roots,
    maxDocuments,
    setAt: now.toISOString(),
    // Pages scope discovers nothing; any other needs one full listing to find what it holds.
    ...(kind === "pages" ? {} : { backfillPending: true }),
  };
}

/** Whether the dataset's scope makes the sweep and the webhooks look for new objects. */
export function follows(scope: DatasetScope | undefined): scope is DatasetScope {
  return scope !== undefined && scope.kind !== "pages";
}

export function describeScope(scope: DatasetScope | undefined): string {
  if (!follows(scope)) return "pages (the documents added one by one)";
  const what =
    scope.kind === "workspace"
      ? `the whole workspace ${scope.workspaceId}`
      : `everything under ${scope.roots.join(", ")} (workspace ${scope.workspaceId})`;
  return `${scope.kind}: ${what}, at most ${scope.maxDocuments.toLocaleString("en-US")} documents`;
}
