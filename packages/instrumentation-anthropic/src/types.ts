import type { Context, Span } from "@opentelemetry/api";
import type { InstrumentationConfig } from "@opentelemetry/instrumentation";

/** Which client method a span comes from. */
export type AnthropicOperation =
  | "messages.create"
  | "messages.stream"
  | "beta.messages.create"
  | "beta.messages.stream";

/** What a {@link AnthropicRequestHook} receives. */
export interface AnthropicRequestInfo {
  /** The client method called. */
  operation: AnthropicOperation;
  /** The request parameters as the application passed them (never modified). */
  params: Record<string, unknown>;
}

/**
 * What a {@link AnthropicResponseHook} receives. For a plain call `response` is the client's
 * Message; for a stream it is the Message as rebuilt from the events read (its `content` only
 * when content capture is on), and `streamed` is true.
 */
export interface AnthropicResponseInfo {
  operation: AnthropicOperation;
  response: Record<string, unknown>;
  streamed: boolean;
}

/** Called once the span has started, before the request is sent. Errors it throws are logged and ignored. */
export type AnthropicRequestHook = (span: Span, info: AnthropicRequestInfo) => void;

/** Called before the span ends with a complete response. Errors it throws are logged and ignored. */
export type AnthropicResponseHook = (span: Span, info: AnthropicResponseInfo) => void;

/** Options of {@link AnthropicInstrumentation}. */
export interface AnthropicInstrumentationConfig extends InstrumentationConfig {
  /**
   * Chooses the context a call's span starts under, given the active one. The agentops SDK passes
   * one that puts calls made outside every `session.run(fn)` (top-level code, callbacks it cannot
   * wrap) into the current session. A hook that throws is ignored (the active context is used).
   * Default: the active context.
   */
  parentContext?: (active: Context) => Context;
  /**
   * Record prompts and completions: `gen_ai.input.messages`, `gen_ai.output.messages`,
   * `gen_ai.system_instructions` and `gen_ai.tool.definitions`. Without it only counts, models,
   * token usage and finish reasons are recorded.
   * Default: `process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === "true"`.
   */
  captureContent?: boolean;
  /**
   * Recent `@anthropic-ai/sdk` versions start a span of their own for each API call when a global
   * tracer provider is registered. While this instrumentation traces a call it keeps the client
   * from doing so, so that each call yields exactly one GenAI span. Set `false` to keep both
   * (the client's span is then a child of this one). Default: `true`.
   */
  suppressClientSpans?: boolean;
  /** Adds attributes to the span from the request. Default: none. */
  requestHook?: AnthropicRequestHook;
  /** Adds attributes to the span from the response. Default: none. */
  responseHook?: AnthropicResponseHook;
}
