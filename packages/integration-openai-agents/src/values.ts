/** Readers for the loosely typed values of Agents SDK span data. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty string, else `undefined`. */
export function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A non-negative finite number, else `undefined`. */
export function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Names from a list of strings or of `{ name }` objects (the Agents SDK has used both for an
 * agent's tools and handoffs); `undefined` when there is no list.
 */
export function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const names: string[] = [];
  for (const item of value) {
    const name = typeof item === "string" ? item : isRecord(item) ? text(item.name) : undefined;
    if (name !== undefined) names.push(name);
  }
  return names;
}

/** JSON text of a value; `undefined` for `undefined` or a value that cannot be serialised. */
export function toJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
