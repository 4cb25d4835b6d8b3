/** Where the Messages resources of `@anthropic-ai/sdk` are found, and its client's own tracer. */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isObjectOrFunction(value: unknown): value is Record<string, unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}

/**
 * The Messages resource prototypes reachable from `target`: the module (CJS exports or ESM
 * namespace), the `Anthropic` class (`Anthropic.Messages`, `Anthropic.Beta.Messages`), or a client
 * instance (`client.messages`, `client.beta.messages`).
 */
export function findMessagesPrototypes(target: unknown): Map<object, boolean> {
  const found = new Map<object, boolean>();
  const addPrototype = (prototype: unknown, beta: boolean) => {
    if (isObject(prototype) && typeof prototype.create === "function" && !found.has(prototype))
      found.set(prototype, beta);
  };
  /** `value[key]`, when `value` is an object or a function. */
  const member = (value: unknown, key: string): unknown =>
    isObjectOrFunction(value) ? value[key] : undefined;
  const classPrototype = (value: unknown): unknown =>
    typeof value === "function" ? member(value, "prototype") : undefined;
  const instancePrototype = (value: unknown): unknown =>
    isObject(value) ? Object.getPrototypeOf(value) : undefined;
  const visit = (candidate: unknown) => {
    if (!isObjectOrFunction(candidate)) return;
    addPrototype(classPrototype(member(candidate, "Messages")), false);
    addPrototype(classPrototype(member(member(candidate, "Beta"), "Messages")), true);
    addPrototype(instancePrototype(member(candidate, "messages")), false);
    addPrototype(instancePrototype(member(member(candidate, "beta"), "messages")), true);
  };
  visit(target);
  visit(member(target, "Anthropic"));
  visit(member(target, "default"));
  visit(member(member(target, "default"), "Anthropic"));
  return found;
}

/**
 * The client of a resource, when it has a span of its own to start (recent clients trace
 * natively once a global tracer provider is registered) and that can be held off for one call.
 */
export function clientWithOwnTracer(resource: unknown): { _tracer: unknown } | undefined {
  const client = isObject(resource) ? resource._client : undefined;
  if (!isObject(client) || !client._tracer) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(client, "_tracer");
  return descriptor?.writable ? (client as { _tracer: unknown }) : undefined;
}
