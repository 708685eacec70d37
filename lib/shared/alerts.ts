/**
 * Values of the `alert` field that the functions log and the stack's metric filters count
 * (infra/alarms.ts): one definition for both sides.
 */

/** Logged with the warning for a webhook event of another workspace than the binding's. */
export const FOREIGN_WORKSPACE_ALERT = "webhook-foreign-workspace";
