import type { PriceTable } from "@agentops/pricing";
import { classifySpan } from "./classify";
import type { EventKind } from "./kinds";
import { readExplicitCost, readLlmUsage, type LlmUsage } from "./usage";

/** `SpanStatusCode.ERROR` of OpenTelemetry (and OTLP's `STATUS_CODE_ERROR`). */
const STATUS_ERROR = 2;

/**
 * What one span counts for in its session: its kind, whether it is an error, and (LLM calls) what
 * it used and cost; every other span has no model, no tokens, and only a tool's explicit cost.
 */
export interface SpanMeaning extends LlmUsage {
  kind: EventKind;
  /** Counted as an error: an error event, or a failed LLM or tool call. */
  isError: boolean;
}

/** A {@link SpanMeaning} to fill: for callers that reuse one object per span instead of allocating. */
export function emptySpanMeaning(): SpanMeaning {
  return { kind: "other", isError: false, model: null, provider: null, promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: 0 };
}

/**
 * The one reading of a span that both the SDK (its session analytics) and the server (its stats)
 * use, so that they agree on every span: its kind ({@link classifySpan}), whether it is an
 * error, and an LLM call's model, tokens and cost ({@link readLlmUsage}, priced with `prices`).
 * Never throws on odd attribute values. With `into`, fills and returns that object (the SDK's span
 * processor reuses one, so that a span that is not an LLM call costs no allocation).
 *
 * @example
 * const meaning = interpretSpan(span.name, parentSpanId, span.attributes, span.status.code, prices);
 * if (meaning.kind === "llm") totals.promptTokens += meaning.promptTokens;
 */
export function interpretSpan(
  name: string,
  parentSpanId: string | null,
  attributes: Record<string, unknown>,
  statusCode: number,
  prices?: PriceTable,
  into: SpanMeaning = emptySpanMeaning(),
): SpanMeaning {
  const kind = classifySpan(name, parentSpanId, attributes, statusCode);
  const failed = statusCode === STATUS_ERROR;
  into.kind = kind;
  if (kind === "llm") {
    const usage = readLlmUsage(attributes, prices);
    into.isError = failed;
    into.model = usage.model;
    into.provider = usage.provider;
    into.promptTokens = usage.promptTokens;
    into.completionTokens = usage.completionTokens;
    into.cachedTokens = usage.cachedTokens;
    into.reasoningTokens = usage.reasoningTokens;
    into.cost = usage.cost;
    return into;
  }
  into.isError = kind === "error" || (failed && kind === "tool");
  into.model = null;
  into.provider = null;
  into.promptTokens = 0;
  into.completionTokens = 0;
  into.cachedTokens = 0;
  into.reasoningTokens = 0;
  // A tool's cost is the client's (AgentOps' `@tool(cost=…)`); the price table knows only models.
  into.cost = kind === "tool" ? (readExplicitCost(attributes) ?? 0) : 0;
  return into;
}
