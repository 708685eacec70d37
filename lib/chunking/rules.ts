/**
 * Process rules: validation with reasons a user can act on, the sizes each doc form cuts with, and a
 * fingerprint that tells whether indexed content was split with the dataset's current settings.
 */
import { createHash } from "node:crypto";
import type { DocForm, ProcessRule } from "../core/model.js";
import { PermanentError } from "../shared/errors.js";

export const MIN_CHUNK_TOKENS = 50;
export const MAX_CHUNK_TOKENS = 8000;
export const DEFAULT_CHILD_MAX_TOKENS = 200;
/** `document` parents are whole documents (or database rows) up to this size, then cut like paragraphs. */
export const MAX_PARENT_TOKENS = MAX_CHUNK_TOKENS;

/** The sizes a split uses: `parent` only in the hierarchical form. */
export interface ChunkSizes {
  /** The embedded chunks: text chunks, or hierarchical children. */
  maxTokens: number;
  overlap: number;
  parentMaxTokens?: number;
}

/** Throws a PermanentError naming the first thing wrong; returns the rule unchanged when valid. */
export function validateProcessRule(rule: ProcessRule, docForm: DocForm = "text"): ProcessRule {
  const reason = ruleProblem(rule) ?? docFormProblem(rule, docForm);
  if (reason !== undefined) throw new PermanentError(`invalid process rule: ${reason}`);
  return rule;
}

/** The automatic rule's overlap shrinks to fit small children; a custom one must fit as given. */
export function chunkSizes(rule: ProcessRule, docForm: DocForm): ChunkSizes {
  if (docForm === "text") return { maxTokens: rule.maxTokens, overlap: rule.overlap };
  const child = rule.childMaxTokens ?? DEFAULT_CHILD_MAX_TOKENS;
  return {
    maxTokens: child,
    overlap: rule.mode === "automatic" ? Math.min(rule.overlap, Math.floor((child - 1) / 2)) : rule.overlap,
    parentMaxTokens: rule.parentMode === "document" ? MAX_PARENT_TOKENS : rule.maxTokens,
  };
}

/** Equal fingerprints mean equal chunks from equal text. Absent optional fields count as their defaults. */
export function ruleFingerprint(rule: ProcessRule, docForm: DocForm): string {
  const settings = [
    rule.mode,
    rule.maxTokens,
    rule.overlap,
    rule.separator ?? null,
    rule.removeExtraSpaces,
    rule.removeUrlsEmails,
    docForm,
    docForm === "hierarchical" ? (rule.parentMode ?? "paragraph") : null,
    docForm === "hierarchical" ? (rule.childMaxTokens ?? DEFAULT_CHILD_MAX_TOKENS) : null,
  ];
  return createHash("sha256").update(JSON.stringify(settings)).digest("hex").slice(0, 16);
}

function ruleProblem(rule: ProcessRule): string | undefined {
  const { mode, maxTokens, overlap, separator } = rule;
  if (mode !== "automatic" && mode !== "custom") {
    return `mode must be "automatic" or "custom", got ${String(mode)}`;
  }
  if (!isTokenCount(maxTokens)) {
    return `maxTokens must be an integer from ${MIN_CHUNK_TOKENS} to ${MAX_CHUNK_TOKENS}, got ${String(maxTokens)}`;
  }
  if (!Number.isInteger(overlap) || overlap < 0) {
    return `overlap must be a non-negative integer, got ${String(overlap)}`;
  }
  if (overlap * 2 >= maxTokens) {
    return `overlap must be less than half of maxTokens (${maxTokens}), got ${overlap}`;
  }
  if (separator !== undefined && (typeof separator !== "string" || separator === "")) {
    return "separator must be a non-empty string when set";
  }
  if (typeof rule.removeExtraSpaces !== "boolean" || typeof rule.removeUrlsEmails !== "boolean") {
    return "removeExtraSpaces and removeUrlsEmails must be booleans";
  }
  if (rule.parentMode !== undefined && rule.parentMode !== "paragraph" && rule.parentMode !== "document") {
    return `parentMode must be "paragraph" or "document", got ${String(rule.parentMode)}`;
  }
  if (rule.childMaxTokens !== undefined && !isTokenCount(rule.childMaxTokens)) {
    return `childMaxTokens must be an integer from ${MIN_CHUNK_TOKENS} to ${MAX_CHUNK_TOKENS}, got ${String(rule.childMaxTokens)}`;
  }
  return undefined;
}

function docFormProblem(rule: ProcessRule, docForm: DocForm): string | undefined {
  if (docForm !== "text" && docForm !== "hierarchical") {
    return `docForm must be "text" or "hierarchical", got ${String(docForm)}`;
  }
  if (docForm === "text") return undefined;
  const sizes = chunkSizes(rule, docForm);
  if (sizes.maxTokens > (sizes.parentMaxTokens ?? 0)) {
    return `childMaxTokens (${sizes.maxTokens}) must not exceed the parent size (${String(sizes.parentMaxTokens)})`;
  }
  if (sizes.overlap * 2 >= sizes.maxTokens) {
    return `overlap must be less than half of childMaxTokens (${sizes.maxTokens}), got ${sizes.overlap}`;
  }
  return undefined;
}

function isTokenCount(value: unknown): value is number {
  return (
    Number.isInteger(value) && (value as number) >= MIN_CHUNK_TOKENS && (value as number) <= MAX_CHUNK_TOKENS
  );
}
