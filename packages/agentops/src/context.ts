import { context, createContextKey, ROOT_CONTEXT, trace, type Context, type ContextManager } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { logger } from "./logger";

/**
 * Context key of a session joined by id only: its spans have no parent span in this process, so
 * the session travels in the context as this value (its trace id), and the id generator gives new
 * root spans that trace id.
 */
export const JOINED_TRACE_ID_KEY = createContextKey("agentops.joined_trace_id");

/** What the context manager asks of the session registry. */
export interface SessionLookup {
  /** The only active session's context, bound onto `base`; undefined when there are none or several. */
  soleSessionContext(base: Context): Context | undefined;
  /** Whether `span` is the root of a session that has ended. */
  isEndedRoot(span: unknown): boolean;
}

/**
 * AsyncLocalStorage context manager that knows about sessions:
 * - `enter(ctx)` makes a context current for the rest of the calling async task (how
 *   `startSession` makes its session current without a callback);
 * - where the active context carries no span (or the root of a session that has ended), it
 *   answers with the only active session's context, so that calls made outside any session
 *   context still land in the session when there is just one.
 */
export class SessionContextManager extends AsyncLocalStorageContextManager {
  constructor(private readonly lookup: SessionLookup) {
    super();
  }

  override active(): Context {
    let current = super.active();
    const span = trace.getSpan(current);
    if (span !== undefined) {
      if (!this.lookup.isEndedRoot(span)) return current;
      current = trace.deleteSpan(current);
    } else if (current.getValue(JOINED_TRACE_ID_KEY) !== undefined) {
      return current;
    }
    return this.lookup.soleSessionContext(current) ?? current;
  }

  /** Makes `ctx` active for the rest of the current async execution. */
  enter(ctx: Context): void {
    (this as unknown as { _asyncLocalStorage: { enterWith(ctx: Context): void } })._asyncLocalStorage.enterWith(ctx);
  }
}

/**
 * Makes `ctx` current for the rest of the calling task, with whichever context manager is
 * registered: ours, or an application's AsyncLocalStorage-based one (through its `attach`, or its
 * storage's `enterWith`). Returns false when the registered manager offers neither.
 */
export function enterContext(ctx: Context): boolean {
  try {
    const manager = (context as unknown as { _getContextManager(): ContextManager })._getContextManager();
    if (manager instanceof SessionContextManager) {
      manager.enter(ctx);
      return true;
    }
    const attach = (manager as { attach?: (ctx: Context) => unknown }).attach;
    if (typeof attach === "function") {
      attach.call(manager, ctx);
      return true;
    }
    const storage = (manager as { _asyncLocalStorage?: { enterWith?: (ctx: Context) => void } })._asyncLocalStorage;
    if (storage && typeof storage.enterWith === "function") {
      storage.enterWith(ctx);
      return true;
    }
  } catch (error) {
    logger.debug("could not make the session current", error);
  }
  return false;
}

export { ROOT_CONTEXT };
