import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { PriceTable } from "@agentops/pricing";
import { addPicoUsd, emptySpanMeaning, interpretSpan, toPicoUsd } from "@agentops/span-model";
import type { SessionBudget } from "./budget";
import type { ExportQueue } from "./export-queue";
import { logOnce } from "./logger";
import { maskSpan, type Mask } from "./mask";

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
  /** Integer picodollars, summed and rounded as the server sums them. */
  costPico = 0;
  /** The session's budget, checked after each LLM span or cost; undefined without limits. */
  budget: SessionBudget | undefined = undefined;

  /** USD */
  get cost(): number {
    return this.costPico / 1e12;
  }
}

/** What the processor knows of a session: its totals and where its spans are exported. */
export interface SessionEntry {
  totals: SessionTotals;
  /** Undefined when nothing is exported (no API key and no custom exporter). */
  queue: ExportQueue | undefined;
  /** Applied to the content of each exported span (`mask`). */
  mask?: Mask | undefined;
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
      if (entry.queue !== undefined) entry.queue.push(entry.mask === undefined ? span : maskSpan(span, entry.mask));
    } catch (error) {
      logOnce("error", "processor-onEnd", "agentops could not process a span; it is skipped.", error);
    }
  }

  /** Filled anew for each span (`onEnd` is synchronous), so that counting one allocates nothing. */
  private readonly meaning = emptySpanMeaning();

  /**
   * Counts a span into its session's totals. The span model decides what the span is and what it
   * used, exactly as the server decides it, so `getAnalytics()` and the server's stats agree on
   * spans of every vocabulary (ours, the GenAI conventions, OpenLLMetry, OpenInference, …).
   */
  private aggregate(totals: SessionTotals, span: ReadableSpan): void {
    const parent = span.parentSpanContext?.spanId ?? null;
    const meaning = interpretSpan(span.name, parent, span.attributes, span.status.code, this.prices, this.meaning);
    switch (meaning.kind) {
      case "llm":
        totals.llmCalls++;
        totals.promptTokens += meaning.promptTokens;
        totals.completionTokens += meaning.completionTokens;
        totals.cachedTokens += meaning.cachedTokens;
        totals.reasoningTokens += meaning.reasoningTokens;
        if (meaning.cost === 0 && meaning.model !== null && meaning.promptTokens + meaning.completionTokens > 0) {
          logOnce("info", "unpriced:" + meaning.model, `No price known for model ${meaning.model}; its calls count as $0. Pass prices to init to set one.`);
        }
        break;
      case "tool":
        totals.toolCalls++;
        break;
      case "action":
      case "agent": // an agent run counts among the actions, as the server counts it
        totals.actions++;
        break;
    }
    if (meaning.isError) totals.errors++;
    if (meaning.cost > 0) totals.costPico = addPicoUsd(totals.costPico, toPicoUsd(meaning.cost));
    if (totals.budget !== undefined && (meaning.kind === "llm" || meaning.cost > 0)) totals.budget.check(totals);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.queues].map((queue) => queue.flush(this.flushTimeoutMs)));
  }

  private shutdownPromise: Promise<void> | undefined;

  shutdown(): Promise<void> {
    return (this.shutdownPromise ??= Promise.all([...this.queues].map((queue) => queue.shutdown(this.flushTimeoutMs))).then(() => undefined));
  }
}
