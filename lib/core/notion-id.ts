/** Notion ids are UUIDs, dashed or not, in either case; they are compared dashed and lower-case. */
import * as z from "zod/mini";
import "./zod-english.js";

export function dashedId(id: string): string {
  const hex = id.replaceAll("-", "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A Notion id as users paste it, read into the dashed lower-case form. */
export const notionIdSchema = z.pipe(
  z
    .string()
    .check(
      z.regex(
        /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/,
        "not a Notion id",
      ),
    ),
  z.transform(dashedId),
);
