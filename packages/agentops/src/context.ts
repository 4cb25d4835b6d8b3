import { AsyncLocalStorage } from "node:async_hooks";
import { context, createContextKey, ROOT_CONTEXT } from "@opentelemetry/api";

/**
 * Context key of a session joined by id only: its spans have no parent span in this process, so
 * the session travels in the context as this value (its trace id), and the id generator gives new
 * root spans that trace id.
 */
export const JOINED_TRACE_ID_KEY = createContextKey("agentops.joined_trace_id");

/**
 * The session most recently started in each async task: the documented fallback for code that
 * runs outside `session.run(fn)` (top-level code, callbacks that cannot be wrapped). `startSession`
 * makes its session the task's for the rest of the task.
 *
 * This store belongs to the SDK and holds only a session handle: it never changes the
 * OpenTelemetry active context, so the application's own spans keep their parents and traces.
 * The SDK consults it where it decides a session (its wrappers, module-level functions, and the
 * parent of an auto-traced LLM call made outside any span).
 */
const taskSession = new AsyncLocalStorage<object>();

/** Makes `session` the current task's session, for the rest of the task and what it starts. */
export function setTaskSession(session: object): void {
  taskSession.enterWith(session);
}

/** The session most recently started in the current async task, if any. */
export function getTaskSession<T extends object>(): T | undefined {
  return taskSession.getStore() as T | undefined;
}

const PROBE_KEY = createContextKey("agentops.context_probe");

/**
 * Whether a context manager that carries contexts is registered: with OpenTelemetry's no-op
 * manager, `context.with` runs the function but `context.active()` stays the root context.
 */
export function contextManagerRegistered(): boolean {
  const probe = ROOT_CONTEXT.setValue(PROBE_KEY, true);
  return context.with(probe, () => context.active().getValue(PROBE_KEY) === true);
}
