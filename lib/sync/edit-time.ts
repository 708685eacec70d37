/** Notion rounds `last_edited_time` down to the minute. */
export const EDIT_TIME_RESOLUTION_MS = 60_000;

/**
 * True when content was read before the end of the minute Notion reports as the last edit: an edit
 * later in that same minute would not move `last_edited_time`, so the read may have missed it.
 */
export function readInsideEditMinute(contentReadAt: string | undefined, lastEditedTime: string): boolean {
  if (!contentReadAt) return false;
  return Date.parse(contentReadAt) < Date.parse(lastEditedTime) + EDIT_TIME_RESOLUTION_MS;
}

export function floorToMinute(date: Date): Date {
  return new Date(Math.floor(date.getTime() / EDIT_TIME_RESOLUTION_MS) * EDIT_TIME_RESOLUTION_MS);
}
