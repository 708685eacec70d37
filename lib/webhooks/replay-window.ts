/**
 * The replay window: a signed event is accepted only while its `timestamp` is recent. A captured
 * request sent again later is refused even though its signature is valid; within the window, the
 * event id catches it (WebhookStore.recordEventAttempt). A small allowance for clocks that run
 * ahead keeps Notion's and ours from disagreeing by a few seconds.
 */
export interface ReplayWindow {
  /** How old an event may be. */
  maxAgeSeconds: number;
  /** How far in the future an event's timestamp may be. */
  maxSkewSeconds: number;
}

/** Why the event is outside the window, or undefined when it is inside. */
export function outsideReplayWindow(timestamp: string, now: Date, window: ReplayWindow): string | undefined {
  const ageMs = now.getTime() - Date.parse(timestamp);
  if (ageMs > window.maxAgeSeconds * 1000) {
    return `event timestamp is older than the replay window (${window.maxAgeSeconds} s)`;
  }
  if (-ageMs > window.maxSkewSeconds * 1000) {
    return `event timestamp is more than ${window.maxSkewSeconds} s in the future`;
  }
  return undefined;
}
