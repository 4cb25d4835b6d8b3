import type { Context } from "@opentelemetry/api";
import type { Instrumentation } from "@opentelemetry/instrumentation";
import { AnthropicInstrumentation } from "@agentops/instrumentation-anthropic";
import { MCPInstrumentation } from "@agentops/instrumentation-mcp";
import { OpenAIInstrumentation } from "@agentops/instrumentation-openai";

/** What the instrumentations `init()` enables ask of the client. */
export interface InstrumentationHost {
  readonly captureContent: boolean;
  /** The context an auto-traced call starts under (the session fallback). */
  parentContext(active: Context): Context;
  /** Why an LLM call must not be sent (its session is over an enforced budget). */
  refusal(active: Context): Error | undefined;
  /** Exports this process's spans of another process's session (see `Client.joinRemoteTrace`). */
  joinRemoteTrace(traceId: string): void;
}

/**
 * One maker per instrumentation that `init()` enables (created disabled; the client sets the
 * provider and enables each, so that one that fails to load leaves the others working). A
 * client library that is not installed costs nothing: its instrumentation patches nothing.
 */
export function instrumentationMakers(host: InstrumentationHost): Array<() => Instrumentation> {
  const settings = {
    enabled: false,
    captureContent: host.captureContent,
    parentContext: (active: Context) => host.parentContext(active),
  };
  const llm = { ...settings, refuseCall: (active: Context) => host.refusal(active) };
  return [
    () => new OpenAIInstrumentation(llm),
    () => new AnthropicInstrumentation(llm),
    // MCP requests are not refused over budget (the budget counts LLM calls and their cost). An
    // MCP server joins the session of each client that propagated its trace.
    () => new MCPInstrumentation({ ...settings, onRemoteParent: (caller) => host.joinRemoteTrace(caller.traceId) }),
  ];
}
