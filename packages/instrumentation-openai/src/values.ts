/** Readers of values the client hands over, typed `unknown` until checked. */

/** A plain object (not an array): its fields can be read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value[key]` when `value` is an object, else `undefined`. */
export function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

/** `value[key]` when `value` is an object or a function (classes carry their resources as statics). */
export function member(value: unknown, key: string): unknown {
  return (typeof value === "object" || typeof value === "function") && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** Something with a `then` method: a promise, or the client's `APIPromise`. */
export interface Thenable {
  then(onFulfilled: (value: unknown) => unknown, onRejected: (error: unknown) => unknown): unknown;
}

export function isThenable(value: unknown): value is Thenable {
  return typeof member(value, "then") === "function";
}
