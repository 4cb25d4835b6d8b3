/**
 * Sets an attribute on a decoded attribute map. `__proto__` is an attribute name like any other
 * (OTLP keys are arbitrary strings): a plain assignment would replace the map's prototype instead
 * of adding the key, losing the attribute and letting its value shadow every missing lookup.
 */
export function setAttribute(
  attributes: Record<string, unknown>,
  key: string,
  value: unknown,
): void {
  if (key === "__proto__") {
    Object.defineProperty(attributes, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    attributes[key] = value;
  }
}
