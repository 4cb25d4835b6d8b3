import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { PriceTable } from "@agentops/pricing";
import {
  ATTR_AGENTOPS_LLM_COST,
  ATTR_AGENTOPS_SPAN_KIND,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_LEGACY_GEN_AI_USAGE_PROMPT_TOKENS,
  SpanKindValues,
} from "@agentops/semconv";
import type { ExportQueue } from "./export-queue";
import { logOnce } from "./logger";

/**
 * Running totals of one session, updated as its spans end. Read by `getAnalytics()` and written
 * on the root span when the session ends.
 */
export class SessionTotals {
  llmCalls = 0;
  toolCalls = 0;
  actions = 0;
  errors = 0;
  promptTokens = 0;
  completionTokens = 0;
  cachedTokens = 0;
  reasoningTokens = 0;
  /** USD */
  cost = 0;
}

/** What the processor knows of a session: its totals and where its spans are exported. */
export interface SessionEntry {
  totals: SessionTotals;
  /** Undefined when nothing is exported (no API key and no custom exporter). */
  queue: ExportQueue | undefined;
}

/** `SpanStatusCode.ERROR`, as a plain constant on the hot path. */
const STATUS_ERROR = 2;

function count(value: unknown): number {
  return typeof value === "number" && value > 0 && Number.isFinite(value) ? value : 0;
}

/**
 * Aggregates, per session, counts by kind, tokens by bucket and cost, as each span of the session
 * ends, and hands the span to that session's export queue. Spans of traces that are not sessions
 * of this process (an app's own HTTP spans, say) are left alone and never exported to the server.
 *
 * `onEnd` is synchronous, does one map lookup for spans that are not ours, never does I/O and
 * never throws.
 */
export class SessionSpanProcessor implements SpanProcessor {
  /** Sessions by trace id, active and recently ended. */
  readonly sessions = new Map<string, SessionEntry>();

  /** Every export queue in use, flushed by `forceFlush` (an app's `provider.forceFlush()` reaches them). */
  readonly queues = new Set<ExportQueue>();

  constructor(
    private readonly prices: PriceTable,
    private readonly flushTimeoutMs: number,
  ) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      const entry = this.sessions.get(span.spanContext().traceId);
      if (entry === undefined) return;
      this.aggregate(entry.totals, span);
      entry.queue?.push(span);
    } catch (error) {
      logOnce("error", "processor-onEnd", "agentops could not process a span; it is skipped.", error);
    }
  }

  private aggregate(totals: SessionTotals, span: ReadableSpan): void {
    const attributes = span.attributes;
    const kind = attributes[ATTR_AGENTOPS_SPAN_KIND];
    if (kind === SpanKindValues.ACTION) {
      totals.actions++;
      return;
    }
    if (kind === SpanKindValues.ERROR) {
      totals.errors++;
      return;
    }
    const operation = attributes[ATTR_GEN_AI_OPERATION_NAME];
    if (kind === SpanKindValues.TOOL || (kind === undefined && operation === "execute_tool")) {
      totals.toolCalls++;
      if (span.status.code === STATUS_ERROR) totals.errors++;
      return;
    }
    if (
      kind === SpanKindValues.LLM ||
      (kind === undefined &&
        (operation === "chat" || operation === "text_completion" || operation === "embeddings" || operation === "generate_content"))
    ) {
      totals.llmCalls++;
      if (span.status.code === STATUS_ERROR) totals.errors++;
      const input = count(attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] ?? attributes[ATTR_LEGACY_GEN_AI_USAGE_PROMPT_TOKENS]);
      const output = count(attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] ?? attributes[ATTR_LEGACY_GEN_AI_USAGE_COMPLETION_TOKENS]);
      const cacheRead = count(attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]);
      const reasoning = count(attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]);
      totals.promptTokens += input;
      totals.completionTokens += output;
      totals.cachedTokens += cacheRead;
      totals.reasoningTokens += reasoning;
      const explicit = attributes[ATTR_AGENTOPS_LLM_COST];
      if (typeof explicit === "number" && Number.isFinite(explicit) && explicit >= 0) {
        totals.cost += explicit;
      } else if (input > 0 || output > 0) {
        const model = (attributes[ATTR_GEN_AI_RESPONSE_MODEL] ?? attributes[ATTR_GEN_AI_REQUEST_MODEL]) as string | undefined;
        const provider = (attributes[ATTR_GEN_AI_PROVIDER_NAME] ?? attributes[ATTR_GEN_AI_SYSTEM]) as string | undefined;
        const cost = this.prices.cost(provider, model, {
          inputTokens: input,
          outputTokens: output,
          cacheReadTokens: cacheRead,
          cacheWriteTokens: count(attributes[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]),
          reasoningTokens: reasoning,
        });
        if (cost !== undefined) totals.cost += cost;
        else if (model) logOnce("info", "unpriced:" + model, `No price known for model ${model}; its calls count as $0. Pass prices to init to set one.`);
      }
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.queues].map((queue) => queue.flush(this.flushTimeoutMs)));
  }

  private shutdownPromise: Promise<void> | undefined;

  shutdown(): Promise<void> {
    return (this.shutdownPromise ??= Promise.all([...this.queues].map((queue) => queue.shutdown(this.flushTimeoutMs))).then(() => undefined));
  }
}
