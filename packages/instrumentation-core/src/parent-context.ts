import type { Context } from "@opentelemetry/api";

/**
 * Chooses a better parent for a span about to start under `active`: a context to use instead,
 * or `undefined` to leave `active` as it is.
 */
export type ParentContextProvider = (active: Context) => Context | undefined;

/**
 * Kept on `globalThis` under a registry symbol, so that every copy of this package (an
 * integration and the instrumentations may resolve different ones) shares one list.
 */
const PROVIDERS = Symbol.for("@agentops/instrumentation-core:parent-context-providers");

type Holder = { [PROVIDERS]?: ParentContextProvider[] };

function providers(): ParentContextProvider[] {
  const holder = globalThis as Holder;
  return (holder[PROVIDERS] ??= []);
}

/**
 * Adds a provider of parent contexts, consulted (in the order added) by every agentops
 * instrumentation before it starts a call's span, and by integrations that start spans of their
 * own. Frameworks that keep their own async context register one, so that a client call made
 * inside one of their spans nests under it even though OpenTelemetry's active context does not
 * know that span (the OpenAI Agents SDK does so); the agentops SDK registers one that puts spans
 * started outside every session into the current session. Returns a function that removes it.
 *
 * @example
 * const remove = addParentContextProvider((active) => trace.getSpan(active) ? undefined : sessionContext);
 */
export function addParentContextProvider(provider: ParentContextProvider): () => void {
  const list = providers();
  if (!list.includes(provider)) list.push(provider);
  return () => {
    const index = list.indexOf(provider);
    if (index >= 0) list.splice(index, 1);
  };
}

/**
 * `active` as the registered providers refine it, each given the previous one's choice. A provider
 * that throws is skipped: choosing a parent must never break the call being traced.
 */
export function resolveParentContext(active: Context): Context {
  let resolved = active;
  for (const provider of [...providers()]) {
    try {
      resolved = provider(resolved) ?? resolved;
    } catch {
      // a faulty provider leaves the choice as it was
    }
  }
  return resolved;
}
