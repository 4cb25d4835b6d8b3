/**
 * Readers for attribute values as decoders hand them over. OTLP/JSON carries 64-bit integers as
 * strings and some instrumentations write numbers as text, so numeric readers accept both.
 */

/** A non-empty trimmed string, else `null`. */
export function readString(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** A finite number from a number, bigint or numeric string, else `null`. */
export function readNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** No single call uses more tokens than this; larger counts are clamped so that sums stay exact. */
const MAX_COUNT = 1e12;

/** A token count: a non-negative integer (fractions truncated, at most 10^12), else `null`. */
export function readCount(value: unknown): number | null {
  const parsed = readNumber(value);
  if (parsed === null || parsed < 0) return null;
  return Math.min(Math.trunc(parsed), MAX_COUNT);
}

/** The first attribute among `names` that reads as a count, with the name it came from. */
export function firstCount(
  attributes: Record<string, unknown>,
  names: readonly string[],
): { value: number; name: string } | null {
  for (const name of names) {
    const value = readCount(attributes[name]);
    if (value !== null) return { value, name };
  }
  return null;
}

/** The first attribute among `names` that reads as a non-empty string. */
export function firstString(
  attributes: Record<string, unknown>,
  names: readonly string[],
): string | null {
  for (const name of names) {
    const value = readString(attributes[name]);
    if (value !== null) return value;
  }
  return null;
}
