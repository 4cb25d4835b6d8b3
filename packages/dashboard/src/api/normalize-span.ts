import type { SessionSpan, SpanKind } from "./types";

export interface SessionSpanResult {
  spans: SessionSpan[];
}

const SPAN_KINDS = new Set<SpanKind>(["session", "marker", "llm", "tool", "action", "agent", "error", "other"]);

/** Reads the spans body: `{ spans: [...] }` or a bare array, snake_case or camelCase fields. */
export function readSpansBody(body: unknown): SessionSpanResult {
  const record = (body ?? {}) as Record<string, unknown>;
  const list = Array.isArray(body) ? body : Array.isArray(record.spans) ? record.spans : [];
  const spans: SessionSpan[] = [];
  for (const item of list) {
    const span = normalizeSpan(item);
    if (span) spans.push(span);
  }
  spans.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  return { spans };
}

/** One span of the spans body → {@link SessionSpan}; `undefined` when it has no span id. */
export function normalizeSpan(value: unknown): SessionSpan | undefined {
  if (!value || typeof value !== "object") return undefined;
  const raw = value as Record<string, unknown>;
  const pick = (...names: string[]): unknown => {
    for (const name of names) if (raw[name] !== undefined && raw[name] !== null) return raw[name];
    return undefined;
  };
  const spanId = pick("span_id", "spanId");
  if (typeof spanId !== "string") return undefined;
  const parent = pick("parent_span_id", "parentSpanId");
  const kind = pick("kind", "event_kind", "eventKind");
  const startMs = toMs(pick("start_ms", "startMs"), pick("start_time_unix_nano", "startTimeUnixNano"), pick("start_time", "start_timestamp"));
  const endMs = toMs(pick("end_ms", "endMs"), pick("end_time_unix_nano", "endTimeUnixNano"), pick("end_time", "end_timestamp"));
  const status = pick("status") as Record<string, unknown> | undefined;
  return {
    spanId,
    parentSpanId: typeof parent === "string" && parent !== "" ? parent : null,
    name: String(pick("name") ?? ""),
    kind: typeof kind === "string" && SPAN_KINDS.has(kind as SpanKind) ? (kind as SpanKind) : "other",
    startMs,
    endMs: Math.max(endMs, startMs),
    statusCode: Number(pick("status_code", "statusCode") ?? status?.code ?? 0),
    statusMessage: (pick("status_message", "statusMessage") ?? status?.message ?? null) as string | null,
    attributes: asRecord(pick("attributes")),
    resource: asRecord(pick("resource", "resource_attributes")),
    events: Array.isArray(raw.events) ? (raw.events as SessionSpan["events"]) : [],
    model: (pick("model") as string | undefined) ?? null,
    promptTokens: Number(pick("prompt_tokens", "promptTokens") ?? 0),
    completionTokens: Number(pick("completion_tokens", "completionTokens") ?? 0),
    cost: Number(pick("cost") ?? 0),
    isError: Boolean(pick("is_error", "isError")),
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function toMs(ms: unknown, nanos: unknown, iso: unknown): number {
  if (typeof ms === "number" && Number.isFinite(ms)) return ms;
  if (typeof nanos === "string" && /^\d+$/.test(nanos)) {
    // Split to keep precision: epoch nanoseconds exceed 2^53.
    const whole = nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
    const fraction = Number(nanos.slice(-6)) / 1e6;
    return whole + fraction;
  }
  if (typeof iso === "string") {
    const parsed = Date.parse(iso);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return 0;
}

