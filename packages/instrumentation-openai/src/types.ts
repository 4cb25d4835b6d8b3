import type { Context, Span } from "@opentelemetry/api";
import type { InstrumentationConfig } from "@opentelemetry/instrumentation";

/** The client methods that are traced. */
export type OpenAIMethod = "chat.completions.create" | "completions.create" | "embeddings.create" | "responses.create";

/** What {@link OpenAIInstrumentationConfig.requestHook} gets. */
export interface OpenAIRequestInfo {
  /** The client method called. */
  method: OpenAIMethod;
  /** `gen_ai.operation.name` of the span: `chat`, `text_completion` or `embeddings`. */
  operationName: string;
  /** The request body as the caller passed it (never modified). */
  request: Record<string, unknown>;
}

/** What {@link OpenAIInstrumentationConfig.responseHook} gets. */
export interface OpenAIResponseInfo extends OpenAIRequestInfo {
  /**
   * The parsed response body. For streams: the final `response` object of a Responses stream;
   * `undefined` for chat and text completion streams (their chunks are summarised on the span).
   */
  response: unknown;
}

/** Called right after the span starts, before the request is sent. Runs guarded. */
export type OpenAIRequestHook = (span: Span, info: OpenAIRequestInfo) => void;
/** Called when a call succeeds (a stream: when fully read), just before the span ends. Runs guarded. */
export type OpenAIResponseHook = (span: Span, info: OpenAIResponseInfo) => void;

/** Options of {@link OpenAIInstrumentation}. */
export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Chooses the context a call's span starts under, given the active one. The agentops SDK passes
   * one that puts calls made outside every `session.run(fn)` (top-level code, callbacks it cannot
   * wrap) into the current session. A hook that throws is ignored (the active context is used).
   * Default: the active context.
   */
  parentContext?: (active: Context) => Context;
  /**
   * Record prompts and completions (`gen_ai.input.messages`, `gen_ai.output.messages`,
   * `gen_ai.system_instructions`, `gen_ai.tool.definitions`).
   * Default: `true` when `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is `"true"`, else `false`.
   */
  captureContent?: boolean;
  /**
   * For streamed chat and text completions that do not set `stream_options`, ask for
   * `stream_options.include_usage` so that token usage can be recorded. The extra usage-only
   * chunk is kept from the caller. Turn off for OpenAI-compatible servers that reject the option.
   * Default: `true`.
   */
  streamUsage?: boolean;
  /** Default: none. */
  requestHook?: OpenAIRequestHook;
  /** Default: none. */
  responseHook?: OpenAIResponseHook;
}
