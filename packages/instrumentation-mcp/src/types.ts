import type { SpanContext } from "@opentelemetry/api";
import type { AgentOpsInstrumentationConfig } from "@agentops/instrumentation-core";

/** Options of {@link MCPInstrumentation}. */
export interface MCPInstrumentationConfig extends AgentOpsInstrumentationConfig {
  /**
   * Record a tool call's arguments and result (`gen_ai.tool.call.arguments`,
   * `gen_ai.tool.call.result`). Without it only names, methods, the server and the outcome are
   * recorded. Default: `process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === "true"`.
   */
  captureContent?: boolean;
  /**
   * Write the active trace context (W3C `traceparent`, `tracestate`, `baggage`) into each request's
   * `params._meta`, and run request handlers in the context a request carries that way. Default:
   * `true`.
   */
  propagateContext?: boolean;
  /**
   * Called when a request handler is about to run under a trace context its caller propagated
   * in `params._meta`, with the caller's span context. The agentops SDK passes one that exports
   * the handler's spans into the caller's session. A hook that throws is ignored.
   */
  onRemoteParent?: (caller: SpanContext) => void;
}
