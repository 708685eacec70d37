/**
 * Which Notion workspace a binding's webhook events must come from. A binding's workspaceId is
 * usually our own label ("main"); when it is itself a Notion workspace id (a UUID) that is the one,
 * else the id pinned on the binding by its first verified event. Undefined: not known yet.
 */
import type { DataSourceBinding } from "../core/model.js";
import { dashedId } from "../core/notion-id.js";

const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

export function expectedWorkspaceId(binding: DataSourceBinding): string | undefined {
  if (binding.notionWorkspaceId !== undefined) return dashedId(binding.notionWorkspaceId);
  return UUID.test(binding.workspaceId) ? dashedId(binding.workspaceId) : undefined;
}
