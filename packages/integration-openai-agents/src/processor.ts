import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import type { Span as AgentsSpan, Trace as AgentsTrace, TracingProcessor } from "@openai/agents";
import {
  addParentContextProvider,
  resolveCaptureContent,
  resolveParentContext,
} from "@agentops/instrumentation-core";
import {
  ATTR_OPENAI_AGENTS_CLIENT_CALLS,
  ATTR_OPENAI_AGENTS_PARENT_ID,
  ATTR_OPENAI_AGENTS_SPAN_ID,
  ATTR_OPENAI_AGENTS_SPAN_TYPE,
  ATTR_OPENAI_AGENTS_TRACE_ID,
  ATTR_OPENAI_AGENTS_TRACE_NAME,
} from "@agentops/semconv";
import { type AgentsSpanLike, currentAgentsSpan } from "./agents-context";
import { type DescribeOptions, type SpanDataLike, spanAttributes, spanName } from "./attributes";
import { INTEGRATION_NAME, INTEGRATION_VERSION } from "./version";

/** Options of {@link agentopsTraceProcessor}. */
export interface AgentOpsTraceProcessorOptions {
  /**
   * The provider whose tracer records the spans. Default: the global one, which `agentops.init()`
   * registers (or yours, with an `AgentOpsSpanProcessor` in it).
   */
  tracerProvider?: TracerProvider;
  /**
   * Record model inputs and outputs on generation and response spans. Default: `true` when
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is `"true"`, else `false`. Tool inputs and
   * outputs are recorded as the Agents SDK reports them (its `traceIncludeSensitiveData` run
   * option leaves them out).
   */
  captureContent?: boolean;
}

/** One Agents SDK trace or span in flight, and the OpenTelemetry span standing for it. */
interface Entry {
  span: Span;
  /** The context with {@link Entry.span} active: where its children start. */
  context: Context;
  traceId: string;
  /** The OpenTelemetry span the trace started under: client calls nest under Agents spans only from there. */
  outerSpanId: string | undefined;
  /** For model spans: the client spans an instrumentation started under this one. */
  clientCalls: number;
  isModelSpan: boolean;
}

const MODEL_SPAN_TYPES = new Set(["generation", "response"]);

/**
 * An Agents SDK `TracingProcessor` that turns its traces and spans into OpenTelemetry spans, so an
 * agent run shows up in the agentops session it runs in: agents and handoffs as actions, function
 * tools as tools, model calls as LLM calls, nested as the SDK nested them. Never throws into the
 * Agents SDK.
 */
export class AgentOpsTraceProcessor implements TracingProcessor {
  private readonly tracerProvider: TracerProvider | undefined;
  private readonly describe: DescribeOptions;
  private readonly traces = new Map<string, Entry>();
  private readonly spans = new Map<string, Entry>();
  private removeProvider: (() => void) | undefined;

  constructor(options: AgentOpsTraceProcessorOptions = {}) {
    this.tracerProvider = options.tracerProvider;
    this.describe = { captureContent: resolveCaptureContent(options.captureContent) };
    this.listen();
  }

  /** LLM client calls made inside an Agents span start under its span (see clientParent). */
  private listen(): void {
    this.removeProvider ??= addParentContextProvider((active) => this.clientParent(active));
  }

  async onTraceStart(agentsTrace: AgentsTrace): Promise<void> {
    this.guard(() => {
      // `setTraceProcessors` shuts down every processor it replaces, even one it keeps: a
      // processor that is used again listens again.
      this.listen();
      // The parent is the active context as the registered providers refine it: with agentops,
      // the session a run outside `session.run` belongs to.
      const parent = resolveParentContext(context.active());
      const span = this.tracer().startSpan(
        agentsTrace.name || "Agent workflow",
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            [ATTR_OPENAI_AGENTS_TRACE_ID]: agentsTrace.traceId,
            [ATTR_OPENAI_AGENTS_TRACE_NAME]: agentsTrace.name,
            ...(agentsTrace.groupId ? { "openai_agents.group_id": agentsTrace.groupId } : {}),
          },
        },
        parent,
      );
      this.traces.set(agentsTrace.traceId, {
        span,
        context: trace.setSpan(parent, span),
        traceId: agentsTrace.traceId,
        outerSpanId: trace.getSpan(parent)?.spanContext().spanId,
        clientCalls: 0,
        isModelSpan: false,
      });
    });
  }

  async onTraceEnd(agentsTrace: AgentsTrace): Promise<void> {
    this.guard(() => {
      const entry = this.traces.get(agentsTrace.traceId);
      if (entry === undefined) return;
      this.traces.delete(agentsTrace.traceId);
      // Spans the SDK left open (an aborted stream) end with their trace.
      for (const [id, open] of this.spans) {
        if (open.traceId !== agentsTrace.traceId) continue;
        this.spans.delete(id);
        open.span.end();
      }
      entry.span.end();
    });
  }

  async onSpanStart(agentsSpan: AgentsSpan<any>): Promise<void> {
    this.guard(() => {
      this.entryOf(agentsSpan);
    });
  }

  /**
   * The entry of an Agents span, started now if it is not yet. The SDK calls the processors one
   * after another, each awaited, so behind another processor `onSpanStart` comes a few
   * microtasks late, possibly after a client call inside the span began: that call starts it.
   */
  private entryOf(agentsSpan: AgentsSpanLike): Entry {
    const existing = this.spans.get(agentsSpan.spanId);
    if (existing !== undefined) return existing;
    const data = (agentsSpan.spanData ?? {}) as SpanDataLike;
    const parentEntry =
      (agentsSpan.parentId ? this.spans.get(agentsSpan.parentId) : undefined) ??
      this.traces.get(agentsSpan.traceId);
    const parent = parentEntry?.context ?? resolveParentContext(context.active());
    const type = String(data.type);
    const span = this.tracer().startSpan(
      spanName(data),
      {
        kind: MODEL_SPAN_TYPES.has(type) ? SpanKind.CLIENT : SpanKind.INTERNAL,
        attributes: {
          [ATTR_OPENAI_AGENTS_SPAN_TYPE]: type,
          [ATTR_OPENAI_AGENTS_SPAN_ID]: agentsSpan.spanId,
          [ATTR_OPENAI_AGENTS_TRACE_ID]: agentsSpan.traceId,
          ...(agentsSpan.parentId ? { [ATTR_OPENAI_AGENTS_PARENT_ID]: agentsSpan.parentId } : {}),
        },
      },
      parent,
    );
    const entry: Entry = {
      span,
      context: trace.setSpan(parent, span),
      traceId: agentsSpan.traceId,
      outerSpanId: parentEntry?.outerSpanId ?? trace.getSpan(parent)?.spanContext().spanId,
      clientCalls: 0,
      isModelSpan: MODEL_SPAN_TYPES.has(type),
    };
    this.spans.set(agentsSpan.spanId, entry);
    return entry;
  }

  async onSpanEnd(agentsSpan: AgentsSpan<any>): Promise<void> {
    this.guard(() => {
      const entry = this.spans.get(agentsSpan.spanId);
      if (entry === undefined) return;
      this.spans.delete(agentsSpan.spanId);
      const { span } = entry;
      span.updateName(spanName(agentsSpan.spanData as SpanDataLike));
      span.setAttributes(spanAttributes(agentsSpan.spanData as SpanDataLike, this.describe));
      if (entry.isModelSpan) span.setAttribute(ATTR_OPENAI_AGENTS_CLIENT_CALLS, entry.clientCalls);
      const error = agentsSpan.error;
      if (error) {
        const message = typeof error.message === "string" ? error.message : "error";
        span.recordException({ name: "AgentsSpanError", message });
        span.setStatus({ code: SpanStatusCode.ERROR, message });
      }
      span.end();
    });
  }

  /**
   * Ends what is still open and stops steering client calls until the next trace starts; the
   * tracer provider is not ours to shut down.
   */
  async shutdown(): Promise<void> {
    this.guard(() => {
      this.removeProvider?.();
      this.removeProvider = undefined;
      for (const entry of [...this.spans.values(), ...this.traces.values()]) entry.span.end();
      this.spans.clear();
      this.traces.clear();
    });
  }

  /** Flushes the tracer provider when it can be flushed (agentops' exports what its sessions queued). */
  async forceFlush(): Promise<void> {
    const provider = (this.tracerProvider ?? trace.getTracerProvider()) as TracerProvider & {
      forceFlush?: () => Promise<void>;
    };
    try {
      await provider.forceFlush?.();
    } catch {
      // a failed flush is the exporter's to report
    }
  }

  /**
   * The parent of an LLM client call starting under `active`: the current Agents span's span,
   * when the call runs inside one and no span of the application's own sits in between (the
   * active span is still the one the Agents trace started under). Counts the call on a model span,
   * whose LLM call it then is (see `classifyOpenAIAgentsSpan` in `@agentops/span-model`).
   */
  private clientParent(active: Context): Context | undefined {
    const current = currentAgentsSpan();
    // Only spans of a trace this processor follows (not one it was registered after).
    if (current === undefined || !this.traces.has(current.traceId)) return undefined;
    const entry = this.entryOf(current);
    const activeSpanId = trace.getSpan(active)?.spanContext().spanId;
    if (activeSpanId !== undefined && activeSpanId !== entry.outerSpanId) return undefined;
    if (entry.isModelSpan) entry.clientCalls += 1;
    return trace.setSpan(active, entry.span);
  }

  /** Looked up each time: the global provider may change (agentops.init() after this processor). */
  private tracer(): Tracer {
    return (this.tracerProvider ?? trace.getTracerProvider()).getTracer(INTEGRATION_NAME, INTEGRATION_VERSION);
  }

  /** Tracing must never break an agent run: a failure here costs a span, nothing more. */
  private guard(step: () => void): void {
    try {
      step();
    } catch {
      // dropped: the run goes on untraced for this span
    }
  }
}

/**
 * A tracing processor for the OpenAI Agents SDK that records its runs in agentops sessions.
 *
 * @example
 * import { addTraceProcessor } from "@openai/agents";
 * import { agentopsTraceProcessor } from "@agentops/openai-agents";
 * addTraceProcessor(agentopsTraceProcessor());
 */
export function agentopsTraceProcessor(options: AgentOpsTraceProcessorOptions = {}): AgentOpsTraceProcessor {
  return new AgentOpsTraceProcessor(options);
}
