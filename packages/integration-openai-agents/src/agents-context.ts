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

/** What this package reads of an Agents SDK span. */
export interface AgentsSpanLike {
  spanId: string;
  traceId: string;
  parentId: string | null;
  spanData: unknown;
}

/** The current Agents SDK span, or `undefined` outside any (or when it cannot be read). */
export function currentAgentsSpan(): AgentsSpanLike | undefined {
  try {
    const storage = (globalThis as Record<symbol, unknown>)[STORAGE] as StorageLike | undefined;
    if (typeof storage?.getStore !== "function") return undefined;
    const store = storage.getStore() as { active?: unknown; span?: Partial<AgentsSpanLike> } | undefined;
    const span = store?.active === true ? store.span : undefined;
    if (typeof span?.spanId !== "string" || typeof span.traceId !== "string") return undefined;
    return span as AgentsSpanLike;
  } catch {
    return undefined;
  }
}
