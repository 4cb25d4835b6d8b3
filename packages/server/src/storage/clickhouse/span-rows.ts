import { endStateKey, hostKey, latestKey, toPicoUsd } from "../rollup";
import { toStoredSpan, type SpanRow } from "../span-row";
import type { NormalizedSpan, StoredSpan } from "../types";
import { arrivalRank } from "./schema";

/** A `spans` row as inserted (JSONEachRow): 64-bit integers travel as decimal strings. */
export type SpanInsertRow = Record<string, string | number | string[] | null>;

/** The `spans` row of one span: its columns plus the metadata keys the session reads compare. */
export function spanInsertRow(
  span: NormalizedSpan,
  projectId: string,
  resourceId: string,
  receivedMs: number,
): SpanInsertRow {
  const carriesMetadata = span.kind === "session" || span.kind === "marker";
  return {
    project_id: projectId,
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    name: span.name,
    kind: span.kind,
    start_ns: span.startTimeUnixNano,
    end_ns: span.endTimeUnixNano,
    status_code: span.statusCode,
    status_message: span.statusMessage,
    attributes: JSON.stringify(span.attributes),
    events: span.events.length === 0 ? null : JSON.stringify(span.events),
    resource_id: resourceId,
    model: span.model,
    provider: span.provider,
    prompt_tokens: span.promptTokens,
    completion_tokens: span.completionTokens,
    cached_tokens: span.cachedTokens,
    reasoning_tokens: span.reasoningTokens,
    cost_pico: String(toPicoUsd(span.cost)),
    is_error: span.isError ? 1 : 0,
    has_tags: span.tags === null ? 0 : 1,
    tags: span.tags ?? [],
    end_state: span.endState,
    end_state_reason: span.endStateReason,
    video: span.video,
    // The same keys and the same "which spans count" as RollupBatch.add.
    end_state_key: carriesMetadata && span.endState !== null ? endStateKey(span) : "",
    tags_key: carriesMetadata && span.tags !== null ? latestKey(span) : "",
    video_key: carriesMetadata && span.video !== null ? latestKey(span) : "",
    host_key: hostKey(span),
    received_ms: receivedMs,
    arrival_rank: arrivalRank(receivedMs),
  };
}

/**
 * The columns the export reads, in {@link SpanRow} shape (tags as an array plus a flag). UInt64
 * columns arrive as decimal strings (JSON output quotes 64-bit integers), so nanoseconds stay
 * exact; no alias may reuse a column name (18.16 would read the WHERE clause through it).
 */
export const SPAN_SELECT =
  "trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, " +
  "status_code, status_message, attributes, events, resource_id, model, provider, prompt_tokens, " +
  "completion_tokens, cached_tokens, reasoning_tokens, cost_pico, is_error, has_tags, tags, end_state, " +
  "end_state_reason, video";

/** A row of {@link SPAN_SELECT}. */
export interface ClickHouseSpanRow extends Omit<SpanRow, "tags"> {
  has_tags: number;
  tags: string[];
}

export function storedSpanOf(row: ClickHouseSpanRow, projectId: string, resource: Record<string, unknown>): StoredSpan {
  const span = toStoredSpan({ ...row, tags: null }, projectId, resource);
  span.tags = row.has_tags === 1 ? row.tags : null;
  return span;
}
