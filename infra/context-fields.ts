/**
 * zod schemas for CDK context values, each failing with the message an operator needs ("must be an
 * integer from 1 to 1000"); the stack configuration (infra/config.ts) adds the key and the value.
 * A value comes as JSON from cdk.json, or always as a string from `-c key=value`.
 */
import * as z from "zod/mini";

/** `-c key=5` arrives as the string "5": a number-looking string is that number. */
const numeric = z.transform((raw: unknown) =>
  typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw,
);

export function integer(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.pipe(numeric, z.int({ error }).check(z.gte(min, { error }), z.lte(max, { error })));
}

export function decimal(min: number, max: number) {
  const error = `must be a number from ${min} to ${max}`;
  return z.pipe(numeric, z.number({ error }).check(z.gte(min, { error }), z.lte(max, { error })));
}

/** A string of the given shape; `expected` says what it must be. */
export function shaped(shape: RegExp, expected: string) {
  const error = `must be ${expected}`;
  return z.string({ error }).check(z.regex(shape, { error }));
}

/** Like `shaped`, but absent or empty is undefined. */
export function optionalShaped(shape: RegExp, expected: string) {
  return z.pipe(
    z.transform((raw: unknown) => (raw === "" ? undefined : raw)),
    z.optional(shaped(shape, expected)),
  );
}

/** One of `allowed`, in any letter case and with spaces around; the canonical spelling comes out. */
export function oneOf<const T extends readonly [string, ...string[]]>(allowed: T) {
  const canonical = (raw: unknown) =>
    typeof raw === "string"
      ? (allowed.find((option) => option.toLowerCase() === raw.trim().toLowerCase()) ?? raw)
      : raw;
  return z.pipe(z.transform(canonical), z.enum(allowed, { error: `must be one of ${allowed.join(" | ")}` }));
}
