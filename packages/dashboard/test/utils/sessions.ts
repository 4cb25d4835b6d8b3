import {
  ATTR_AGENTOPS_ACTION_TYPE,
  ATTR_AGENTOPS_ERROR_TRIGGER_EVENT_ID,
  ATTR_AGENTOPS_EVENT_ID,
  ATTR_AGENTOPS_EVENT_PARAMS,
  ATTR_AGENTOPS_EVENT_RETURNS,
  ATTR_AGENTOPS_LLM_COST,
  ATTR_AGENTOPS_SESSION_END_STATE,
  ATTR_AGENTOPS_SESSION_END_STATE_REASON,
  ATTR_AGENTOPS_SESSION_ID,
  ATTR_AGENTOPS_SESSION_START_TIME,
  ATTR_AGENTOPS_SESSION_TAGS,
  ATTR_AGENTOPS_SESSION_VIDEO,
  ATTR_AGENTOPS_SPAN_KIND,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_HOST_NAME,
  ATTR_OS_TYPE,
  ATTR_PROCESS_PID,
  ATTR_PROCESS_RUNTIME_NAME,
  ATTR_PROCESS_RUNTIME_VERSION,
  ATTR_SERVICE_NAME,
  type EndStateValue,
} from "@agentops/semconv";
import { newSpanId, newTraceId, sessionIdOf, type SpanSpec } from "./otlp";

/** The resource of a seeded process: its host environment. */
export function processResource(pid: number, host = "worker-1"): Record<string, unknown> {
  return {
    [ATTR_SERVICE_NAME]: "research-agent",
    [ATTR_HOST_NAME]: host,
    [ATTR_PROCESS_PID]: pid,
    [ATTR_OS_TYPE]: "linux",
    [ATTR_PROCESS_RUNTIME_NAME]: "nodejs",
    [ATTR_PROCESS_RUNTIME_VERSION]: "20.19.0",
  };
}

export interface LlmSpec {
  model?: string;
  system?: string;
  prompt: string;
  completion: string;
  promptTokens?: number;
  completionTokens?: number;
  /** Explicit cost in USD; without it the server prices the call from its table. */
  cost?: number;
  startMs: number;
  durationMs?: number;
  parentSpanId?: string;
}

/**
 * Writes the spans of one session the way the SDK does: a `session.start` marker while it runs,
 * event spans under the root, and the root span (with the end state) when it ends.
 */
export class SeedSession {
  readonly traceId = newTraceId();
  readonly rootSpanId = newSpanId();
  readonly id = sessionIdOf(this.traceId);
  readonly spans: SpanSpec[] = [];

  constructor(
    readonly startMs: number,
    readonly tags: string[],
  ) {}

  /** The marker that makes a running session visible. */
  start(): SpanSpec {
    return this.push({
      name: "session.start",
      parentSpanId: this.rootSpanId,
      startMs: this.startMs,
      endMs: this.startMs,
      attributes: {
        [ATTR_AGENTOPS_SPAN_KIND]: "session.start",
        [ATTR_AGENTOPS_SESSION_ID]: this.id,
        [ATTR_AGENTOPS_SESSION_START_TIME]: this.startMs,
        [ATTR_AGENTOPS_SESSION_TAGS]: this.tags,
      },
    });
  }

  llm(spec: LlmSpec): SpanSpec {
    const model = spec.model ?? "gpt-4o";
    return this.push({
      name: `chat ${model}`,
      parentSpanId: spec.parentSpanId ?? this.rootSpanId,
      startMs: spec.startMs,
      endMs: spec.startMs + (spec.durationMs ?? 800),
      attributes: {
        [ATTR_AGENTOPS_SPAN_KIND]: "llm",
        [ATTR_GEN_AI_OPERATION_NAME]: "chat",
        [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
        [ATTR_GEN_AI_REQUEST_MODEL]: model,
        [ATTR_GEN_AI_RESPONSE_MODEL]: model,
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: spec.promptTokens ?? 1000,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: spec.completionTokens ?? 500,
        ...(spec.cost !== undefined ? { [ATTR_AGENTOPS_LLM_COST]: spec.cost } : {}),
        ...(spec.system
          ? { [ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]: JSON.stringify([{ type: "text", content: spec.system }]) }
          : {}),
        [ATTR_GEN_AI_INPUT_MESSAGES]: JSON.stringify([{ role: "user", parts: [{ type: "text", content: spec.prompt }] }]),
        [ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify([
          { role: "assistant", parts: [{ type: "text", content: spec.completion }], finish_reason: "stop" },
        ]),
      },
    });
  }

  tool(name: string, params: unknown, returns: unknown, startMs: number, durationMs = 200, parentSpanId?: string): SpanSpec {
    return this.push({
      name: `execute_tool ${name}`,
      parentSpanId: parentSpanId ?? this.rootSpanId,
      startMs,
      endMs: startMs + durationMs,
      attributes: {
        [ATTR_AGENTOPS_SPAN_KIND]: "tool",
        [ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
        [ATTR_GEN_AI_TOOL_NAME]: name,
        [ATTR_AGENTOPS_EVENT_PARAMS]: JSON.stringify(params),
        [ATTR_AGENTOPS_EVENT_RETURNS]: JSON.stringify(returns),
      },
    });
  }

  action(actionType: string, params: unknown, returns: unknown, startMs: number, durationMs = 300, parentSpanId?: string): SpanSpec {
    return this.push({
      name: actionType,
      parentSpanId: parentSpanId ?? this.rootSpanId,
      startMs,
      endMs: startMs + durationMs,
      attributes: {
        [ATTR_AGENTOPS_SPAN_KIND]: "action",
        [ATTR_AGENTOPS_ACTION_TYPE]: actionType,
        [ATTR_AGENTOPS_EVENT_ID]: `evt-${this.spans.length}`,
        [ATTR_AGENTOPS_EVENT_PARAMS]: JSON.stringify(params),
        [ATTR_AGENTOPS_EVENT_RETURNS]: JSON.stringify(returns),
      },
    });
  }

  error(type: string, message: string, stack: string, startMs: number, triggerEventId?: string): SpanSpec {
    return this.push({
      name: type,
      parentSpanId: this.rootSpanId,
      startMs,
      endMs: startMs,
      status: { code: 2, message },
      attributes: {
        [ATTR_AGENTOPS_SPAN_KIND]: "error",
        [ATTR_ERROR_TYPE]: type,
        [ATTR_EXCEPTION_TYPE]: type,
        [ATTR_EXCEPTION_MESSAGE]: message,
        [ATTR_EXCEPTION_STACKTRACE]: stack,
        ...(triggerEventId ? { [ATTR_AGENTOPS_ERROR_TRIGGER_EVENT_ID]: triggerEventId } : {}),
      },
    });
  }

  /** Any span of the session, in another producer's vocabulary: its attributes as given. */
  span(name: string, attributes: Record<string, unknown>, startMs: number, durationMs = 100, parentSpanId?: string): SpanSpec {
    return this.push({ name, parentSpanId: parentSpanId ?? this.rootSpanId, startMs, endMs: startMs + durationMs, attributes });
  }

  /** The root span, written when the session ends. */
  end(endState: EndStateValue, endMs: number, reason?: string, video?: string): SpanSpec {
    return this.push({
      name: "session",
      spanId: this.rootSpanId,
      startMs: this.startMs,
      endMs,
      attributes: {
        [ATTR_AGENTOPS_SPAN_KIND]: "session",
        [ATTR_AGENTOPS_SESSION_ID]: this.id,
        [ATTR_AGENTOPS_SESSION_TAGS]: this.tags,
        [ATTR_AGENTOPS_SESSION_END_STATE]: endState,
        ...(reason ? { [ATTR_AGENTOPS_SESSION_END_STATE_REASON]: reason } : {}),
        ...(video ? { [ATTR_AGENTOPS_SESSION_VIDEO]: video } : {}),
      },
    });
  }

  private push(spec: Omit<SpanSpec, "traceId" | "spanId"> & { spanId?: string }): SpanSpec {
    const { spanId, ...rest } = spec;
    const span: SpanSpec = { traceId: this.traceId, spanId: spanId ?? newSpanId(), ...rest };
    this.spans.push(span);
    return span;
  }
}
