import type { Context, Span } from "@opentelemetry/api";
import type { InstrumentationConfig } from "@opentelemetry/instrumentation";

/** A client method, as the instrumentations see it. */
export type ClientMethod = (this: unknown, ...args: unknown[]) => unknown;

/** Options every agentops instrumentation takes. */
export interface AgentOpsInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompts and completions. Default: `true` when
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is `"true"` (case-insensitive), else `false`.
   */
  captureContent?: boolean;
  /**
   * Chooses the context a call's span starts under, given the active one. The agentops SDK passes
   * one that puts calls made outside every `session.run(fn)` (top-level code, callbacks it cannot
   * wrap) into the current session. A hook that throws is ignored (the active context is used).
   * Default: the active context.
   *
   * @example
   * new OpenAIInstrumentation({ parentContext: (active) => trace.getSpan(active) ? active : sessionContext });
   */
  parentContext?: (active: Context) => Context;
  /**
   * Consulted before each call with the active context: an error it returns refuses the call. The
   * request is not sent and the caller gets the error, as a rejected promise from methods that
   * return one (a synchronous throw from those that return a stream object). The agentops SDK
   * passes one that refuses the calls of a session over its budget (`enforceBudget`). A hook
   * that throws is ignored (the call goes ahead).
   */
  refuseCall?: (active: Context) => Error | undefined;
}

/** One traced call, as the shared skeleton needs it: its span, and a way to end it once. */
export interface TracedCallState {
  readonly span: Span;
  /** Ends the span if nothing else has; safe to call more than once. */
  end(): void;
}

/**
 * How one kind of client call is traced by {@link AgentOpsInstrumentationBase.traceCall}. The
 * skeleton decides whether to trace at all (enabled, not suppressed, not nested), picks the
 * parent, runs the client's method inside the span's context and guards every step; these
 * callbacks only build and observe the call.
 */
export interface CallTracing<Call extends TracedCallState> {
  /**
   * Starts the call's span under `parent` (also the active context while this runs). Returns
   * `undefined` to run the call untraced. May throw: the call then runs untraced and the failure
   * is logged once.
   */
  start(parent: Context, self: unknown, args: unknown[]): Call | undefined;
  /**
   * Called first when this call runs in the context of another traced call of the same
   * instrumentation (`outer`, during its synchronous part or after): returns `outer` (or another
   * call) to record this request on it, as a helper's span records the request the helper makes.
   * Otherwise (`undefined`, or no `adopt`), a call made during `outer`'s synchronous part runs
   * untraced, and one made later gets a span of its own.
   */
  adopt?(outer: unknown, self: unknown, args: unknown[]): Call | undefined;
  /**
   * What the caller gets when the call is refused (see `refuseCall`). Default: a promise rejected
   * with `error`, as the client's own methods fail.
   */
  refuse?(error: Error, self: unknown, args: unknown[]): unknown;
  /** Calls the client's method. Default: `original.apply(self, args)`. */
  invoke?(call: Call, original: ClientMethod, self: unknown, args: unknown[]): unknown;
  /**
   * Watches what the client's method returned and returns what the caller gets: the client's own
   * object (its promise or stream), so its methods keep working.
   */
  observe(call: Call, result: unknown): unknown;
  /** The client's method threw synchronously: record the error and end the span. */
  fail(call: Call, error: unknown): void;
}
