import type { ClientMethod } from "./types";

/*
 * `InstrumentationBase._wrap` first unwraps whatever wrapper is already in place, so two
 * instrumentations of the same method (ours and, say, Traceloop's) would each remove the other's
 * wrapper when enabled: the last one enabled wins and the other goes silent. These helpers let
 * wrappers stack instead. They speak the marker properties of `shimmer`, the library behind
 * `_wrap`/`_unwrap` and `isWrapped`, on our own wrapper functions only; another's wrapper is
 * never read or changed.
 */

function define(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, {
    configurable: true,
    enumerable: false,
    writable: true,
    value,
  });
}

/**
 * Installs `factory(current)` over another instrumentation's wrapper of `target[name]`, without
 * unwrapping it first (as `_wrap` would). Returns our wrapper.
 */
export function wrapOver(
  target: Record<string, ClientMethod>,
  name: string,
  factory: (original: ClientMethod) => ClientMethod,
): ClientMethod {
  const current = target[name] as ClientMethod;
  const wrapper = factory(current);
  define(wrapper, "__original", current);
  define(wrapper, "__wrapped", true);
  define(target, name, wrapper);
  return wrapper;
}

/**
 * Makes our `wrapper` of `target[name]` (installed over `original`) leave only when `ours()` says
 * the unwrap is our own. Another instrumentation's `_wrap` unwraps what is in place before
 * wrapping: it then wraps over ours instead of removing it, and its own unwrap later restores ours.
 */
export function keepUnlessOurs(
  wrapper: ClientMethod,
  target: Record<string, ClientMethod>,
  name: string,
  original: ClientMethod,
  ours: () => boolean,
): void {
  define(wrapper, "__unwrap", () => {
    if (ours() && target[name] === wrapper) define(target, name, original);
  });
}
