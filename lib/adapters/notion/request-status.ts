/**
 * Notion's `request_status` on a list response: `incomplete` when the listing was cut short (a data
 * source query past 10,000 results, a search listing): following the cursor does not reach the rest.
 */
export function isIncomplete(response: object): boolean {
  const status = (response as { request_status?: { type?: unknown } }).request_status;
  return status?.type === "incomplete";
}
