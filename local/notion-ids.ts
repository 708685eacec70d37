/** Ids, times and URLs as Notion writes them, for the stand-in's workspace. */
import { createHash } from "node:crypto";

/** Dashed lower-case UUID from a dashed or undashed id; undefined when it is not one. */
export function normalizeId(id: string): string | undefined {
  const hex = id.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function compactId(id: string): string {
  return id.replaceAll("-", "");
}

/** Notion stores edit times to the minute. */
export function floorToMinute(date: Date): string {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000).toISOString();
}

export function slug(title: string): string {
  return title
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
}

export function pageUrl(id: string, title: string): string {
  const prefix = slug(title);
  return `https://www.notion.so/${prefix === "" ? "" : `${prefix}-`}${compactId(id)}`;
}

/** Notion's short property ids look like url-encoded 4-character strings. */
export function propertyId(name: string): string {
  return encodeURIComponent(createHash("sha1").update(name).digest("base64").slice(0, 4));
}

export function user(id: string) {
  return { object: "user", id };
}
