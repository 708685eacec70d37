/**
 * Notion's answers are data from outside: the client does not check them against its types, and a new
 * or odd payload (a field missing, null, or of another type) must not crash a run. Text fields are read
 * through these helpers: anything that is not what the type says reads as empty.
 */

/** A string, or "" for anything else. */
export function textOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** An array, or [] for anything else. */
export function listOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** A plain object, or undefined. */
export function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const NOTION_ID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * An id read from content that the walk would request (a link's target, a synced block's original,
 * a relation): only a Notion id (32 hex digits, dashed or not). Anything else would go into an API
 * path as it is (`%`, `../users`), so it is not looked up at all.
 */
export function notionIdOf(value: unknown): string | undefined {
  return typeof value === "string" && NOTION_ID.test(value) ? value : undefined;
}
