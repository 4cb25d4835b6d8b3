import { randomBytes } from "node:crypto";
import {
  ATTR_AGENTOPS_ACTION_TYPE,
  ATTR_AGENTOPS_LLM_COST,
  ATTR_AGENTOPS_SESSION_END_STATE,
  ATTR_AGENTOPS_SESSION_END_STATE_REASON,
  ATTR_AGENTOPS_SESSION_TAGS,
  ATTR_AGENTOPS_SESSION_VIDEO,
  ATTR_AGENTOPS_SPAN_KIND,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_HOST_NAME,
  ATTR_PROCESS_PID,
  ATTR_SERVICE_NAME,
  SpanKindValues,
} from "@agentops/semconv";
import { normalizeSpan } from "../../src/ingest/normalize";
import type { DecodedSpan, NormalizedSpan } from "../../src/storage/types";

/** A small seeded PRNG (mulberry32): randomized tests replay exactly from their seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomHex(bytes: number, random?: () => number): string {
  if (!random) return randomBytes(bytes).toString("hex");
  let hex = "";
  for (let i = 0; i < bytes; i++)
    hex += Math.floor(random() * 256)
      .toString(16)
      .padStart(2, "0");
  return /^0+$/.test(hex) ? randomHex(bytes, random) : hex;
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** A resource as one SDK process sends it. */
export function processResource(name: string, pid: number): Record<string, unknown> {
  return { [ATTR_SERVICE_NAME]: name, [ATTR_HOST_NAME]: `host-${name}`, [ATTR_PROCESS_PID]: pid };
}

const MS = 1_000_000n;

export interface SpanSpec {
  traceId: string;
  spanId?: string;
  parentSpanId?: string | null;
  name?: string;
  startMs: number;
  /** Default: startMs + 10. */
  endMs?: number;
  /** Extra nanoseconds on the start, to make ties and exact ordering. */
  startNanos?: number;
  statusCode?: number;
  statusMessage?: string | null;
  attributes?: Record<string, unknown>;
  resource?: Record<string, unknown>;
  events?: DecodedSpan["events"];
}

/** A decoded span as the OTLP decoders would hand it over. */
export function decodedSpan(spec: SpanSpec): DecodedSpan {
  const start = BigInt(spec.startMs) * MS + BigInt(spec.startNanos ?? 0);
  const end = BigInt(spec.endMs ?? spec.startMs + 10) * MS + BigInt(spec.startNanos ?? 0);
  return {
    traceId: spec.traceId,
    spanId: spec.spanId ?? randomHex(8),
    parentSpanId: spec.parentSpanId ?? null,
    name: spec.name ?? "span",
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    statusCode: spec.statusCode ?? 0,
    statusMessage: spec.statusMessage ?? null,
    attributes: spec.attributes ?? {},
    resource: spec.resource ?? processResource("app", 1),
    events: spec.events ?? [],
    spanKind: 1,
    scope: "test",
  };
}

/** A span through the real normaliser; fails the test if it is rejected. */
export function normalized(spec: SpanSpec): NormalizedSpan {
  const result = normalizeSpan(decodedSpan(spec));
  if ("error" in result) throw new Error(result.error);
  return result;
}

export function rootSpan(
  spec: SpanSpec & { endState?: string; reason?: string; tags?: string[]; video?: string },
): NormalizedSpan {
  return normalized({
    name: "session",
    ...spec,
    parentSpanId: null,
    attributes: {
      [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.SESSION,
      ...(spec.endState !== undefined ? { [ATTR_AGENTOPS_SESSION_END_STATE]: spec.endState } : {}),
      ...(spec.reason !== undefined
        ? { [ATTR_AGENTOPS_SESSION_END_STATE_REASON]: spec.reason }
        : {}),
      ...(spec.tags !== undefined ? { [ATTR_AGENTOPS_SESSION_TAGS]: spec.tags } : {}),
      ...(spec.video !== undefined ? { [ATTR_AGENTOPS_SESSION_VIDEO]: spec.video } : {}),
      ...spec.attributes,
    },
  });
}

export function markerSpan(
  spec: SpanSpec & { update?: boolean; tags?: string[]; video?: string; endState?: string },
): NormalizedSpan {
  const kind = spec.update ? SpanKindValues.SESSION_UPDATE : SpanKindValues.SESSION_START;
  return normalized({
    name: kind,
    endMs: spec.startMs,
    ...spec,
    attributes: {
      [ATTR_AGENTOPS_SPAN_KIND]: kind,
      ...(spec.tags !== undefined ? { [ATTR_AGENTOPS_SESSION_TAGS]: spec.tags } : {}),
      ...(spec.video !== undefined ? { [ATTR_AGENTOPS_SESSION_VIDEO]: spec.video } : {}),
      ...(spec.endState !== undefined ? { [ATTR_AGENTOPS_SESSION_END_STATE]: spec.endState } : {}),
      ...spec.attributes,
    },
  });
}

/** An LLM call; with `cost` the client's explicit cost, else gpt-4o's table price. */
export function llmSpan(
  spec: SpanSpec & {
    input?: number;
    output?: number;
    cached?: number;
    reasoning?: number;
    cost?: number;
    model?: string;
  },
): NormalizedSpan {
  return normalized({
    name: `chat ${spec.model ?? "gpt-4o"}`,
    ...spec,
    attributes: {
      [ATTR_GEN_AI_OPERATION_NAME]: "chat",
      [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [ATTR_GEN_AI_REQUEST_MODEL]: spec.model ?? "gpt-4o",
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: spec.input ?? 1000,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: spec.output ?? 500,
      ...(spec.cached !== undefined
        ? { [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: spec.cached }
        : {}),
      ...(spec.reasoning !== undefined
        ? { [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: spec.reasoning }
        : {}),
      ...(spec.cost !== undefined ? { [ATTR_AGENTOPS_LLM_COST]: spec.cost } : {}),
      ...spec.attributes,
    },
  });
}

export function toolSpan(spec: SpanSpec): NormalizedSpan {
  return normalized({
    name: "execute_tool search",
    ...spec,
    attributes: {
      [ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
      [ATTR_GEN_AI_TOOL_NAME]: "search",
      ...spec.attributes,
    },
  });
}

export function actionSpan(spec: SpanSpec): NormalizedSpan {
  return normalized({
    name: "action",
    ...spec,
    attributes: {
      [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.ACTION,
      [ATTR_AGENTOPS_ACTION_TYPE]: "search",
      ...spec.attributes,
    },
  });
}

export function errorSpan(spec: SpanSpec): NormalizedSpan {
  return normalized({
    name: "error",
    statusCode: 2,
    ...spec,
    attributes: { [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.ERROR, ...spec.attributes },
  });
}

export function otherSpan(spec: SpanSpec): NormalizedSpan {
  return normalized({ name: "GET /", ...spec });
}

/** What the stats of a session must be, computed from its spans independently of any store. */
export interface ExpectedStats {
  llm_calls: number;
  tool_calls: number;
  actions: number;
  errors: number;
  events: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  cost: number;
  start_timestamp: string;
  endMs: number;
  end_state: string | null;
  end_state_reason: string | null;
  tags: string[];
}

/** Expected stats of the distinct spans given (duplicates by span id count once). */
export function expectedStats(spans: NormalizedSpan[]): ExpectedStats {
  const unique = new Map<string, NormalizedSpan>();
  for (const span of spans) if (!unique.has(span.spanId)) unique.set(span.spanId, span);
  const all = [...unique.values()];
  const count = (predicate: (span: NormalizedSpan) => boolean) => all.filter(predicate).length;
  const sum = (field: (span: NormalizedSpan) => number) =>
    all.reduce((total, span) => total + field(span), 0);
  const llm = count((s) => s.kind === "llm");
  const tool = count((s) => s.kind === "tool");
  const action = count((s) => s.kind === "action");
  const errors = count((s) => s.isError);
  const prompt = sum((s) => s.promptTokens);
  const completion = sum((s) => s.completionTokens);
  const meta = all.filter((s) => s.kind === "session" || s.kind === "marker");
  const byEnd = (a: NormalizedSpan, b: NormalizedSpan) =>
    BigInt(b.endTimeUnixNano) > BigInt(a.endTimeUnixNano)
      ? 1
      : BigInt(b.endTimeUnixNano) < BigInt(a.endTimeUnixNano)
        ? -1
        : 0;
  const root = meta
    .filter((s) => s.endState !== null)
    .sort((a, b) => Number(b.kind === "session") - Number(a.kind === "session") || byEnd(a, b))[0];
  const tagged = meta.filter((s) => s.tags !== null).sort(byEnd)[0];
  return {
    llm_calls: llm,
    tool_calls: tool,
    actions: action,
    errors,
    events: llm + tool + action + errors,
    prompt_tokens: prompt,
    completion_tokens: completion,
    cached_tokens: sum((s) => s.cachedTokens),
    reasoning_tokens: sum((s) => s.reasoningTokens),
    total_tokens: prompt + completion,
    cost: sum((s) => s.cost),
    start_timestamp: new Date(Math.min(...all.map((s) => s.startMs))).toISOString(),
    endMs: Math.max(...all.map((s) => s.endMs)),
    end_state: root?.endState ?? null,
    end_state_reason: root?.endStateReason ?? null,
    tags: tagged?.tags ?? [],
  };
}
