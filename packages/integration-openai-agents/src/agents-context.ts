/**
 * The Agents SDK span current in this async context. The SDK keeps it in its own
 * AsyncLocalStorage, which it shares between copies of `@openai/agents-core` under a registry
 * symbol (since 0.4); reading it there needs no import of the SDK (so loading this package loads
 * neither the SDK nor `openai`) and sees the storage a runtime installed with
 * `setTracingContextStorage`. Only spans this processor has seen are used, so a storage of another
 * shape simply yields none.
 */
const STORAGE = Symbol.for("openai.agents.core.asyncLocalStorage");

interface StorageLike {
  getStore(): unknown;
}

/** The current Agents SDK span's id, or `undefined` outside any (or when it cannot be read). */
export function currentAgentsSpanId(): string | undefined {
  try {
    const storage = (globalThis as Record<symbol, unknown>)[STORAGE] as StorageLike | undefined;
    if (typeof storage?.getStore !== "function") return undefined;
    const store = storage.getStore() as { active?: unknown; span?: { spanId?: unknown } } | undefined;
    if (store?.active !== true) return undefined;
    const id = store.span?.spanId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}
