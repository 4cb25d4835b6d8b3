/** Where the Messages resources of `@anthropic-ai/sdk` are found. */

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

/** The client a resource belongs to (each resource keeps it as `_client`), when there is one. */
export function clientOf(resource: unknown): unknown {
  return isObject(resource) ? resource._client : undefined;
}
