/** Readers of values the MCP SDK hands over, typed `unknown` until checked. */

/** A plain object (not an array): its fields can be read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value[key]` when `value` is an object or a function (classes carry statics), else undefined. */
export function member(value: unknown, key: string): unknown {
  return (typeof value === "object" || typeof value === "function") && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** `value[key]` when it is a non-empty string. */
export function stringField(value: unknown, key: string): string | undefined {
  const found = member(value, key);
  return typeof found === "string" && found !== "" ? found : undefined;
}

/** Something with a `then` method. */
export interface Thenable {
  then(onFulfilled: (value: unknown) => unknown, onRejected: (error: unknown) => unknown): unknown;
}

export function isThenable(value: unknown): value is Thenable {
  return typeof member(value, "then") === "function";
}

/** JSON text of `value`, or undefined when it cannot be written (a cycle, a BigInt). */
export function toJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
