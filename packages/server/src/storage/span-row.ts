import { traceIdToUuid } from "@agentops/semconv";
import type { EndState, EventKind, StoredSpan } from "./types";

/** The span columns both stores select for the export, as their drivers return them. */
export interface SpanRow {
  /** 32 hex digits (SQLite) or a UUID (PostgreSQL). */
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  /** Epoch nanoseconds as decimal text. */
  start_ns: string;
  end_ns: string;
  status_code: number;
  status_message: string | null;
  attributes: string;
  events: string | null;
  resource_id: string;
  model: string | null;
  provider: string | null;
  prompt_tokens: number | string;
  completion_tokens: number | string;
  cached_tokens: number | string;
  reasoning_tokens: number | string;
  cost_pico: number | string;
  is_error: number | boolean;
  tags: string | null;
  end_state: string | null;
  end_state_reason: string | null;
  video: string | null;
}

/** The select list matching {@link SpanRow}, given each store's way of writing ns as text. */
export function spanColumns(nanosAsText: (column: string) => string): string {
  return [
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "kind",
    `${nanosAsText("start_ns")} AS start_ns`,
    `${nanosAsText("end_ns")} AS end_ns`,
    "status_code",
    "status_message",
    "attributes",
    "events",
    "resource_id",
    "model",
    "provider",
    "prompt_tokens",
    "completion_tokens",
    "cached_tokens",
    "reasoning_tokens",
    "cost_pico",
    "is_error",
    "tags",
    "end_state",
    "end_state_reason",
    "video",
  ].join(", ");
}

export function toStoredSpan(
  row: SpanRow,
  projectId: string,
  resource: Record<string, unknown>,
): StoredSpan {
  const traceId = row.trace_id.length === 32 ? row.trace_id : row.trace_id.replace(/-/g, "");
  return {
    projectId,
    traceId,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    sessionId: traceIdToUuid(traceId),
    name: row.name,
    kind: row.kind as EventKind,
    startTimeUnixNano: row.start_ns,
    endTimeUnixNano: row.end_ns,
    startMs: nanosToMs(row.start_ns),
    endMs: nanosToMs(row.end_ns),
    statusCode: row.status_code,
    statusMessage: row.status_message,
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
    resource,
    events: row.events === null ? [] : (JSON.parse(row.events) as StoredSpan["events"]),
    model: row.model,
    provider: row.provider,
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    cachedTokens: Number(row.cached_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
    cost: Number(row.cost_pico) / 1e12,
    isError: row.is_error === true || row.is_error === 1,
    tags: row.tags === null ? null : (JSON.parse(row.tags) as string[]),
    endState: row.end_state as EndState | null,
    endStateReason: row.end_state_reason,
    video: row.video,
  };
}

/** Epoch ns (decimal text) → epoch ms, truncated, exactly as ingest computes it. */
export function nanosToMs(nanos: string): number {
  return nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
}
