import { endStateKey, hostRank, latestKey, toPicoUsd } from "../rollup";
import { toStoredSpan, type SpanRow } from "../span-row";
import type { NormalizedSpan, StoredSpan } from "../types";
import type { RowBinaryWriter } from "./row-binary";
import { arrivalRank } from "./schema";

/** The `spans` columns in the order {@link encodeSpanRows} writes them. */
export const SPAN_INSERT_COLUMNS =
  "project_id, trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, status_code, " +
  "status_message, attributes, events, resource_id, model, provider, prompt_tokens, completion_tokens, " +
  "cached_tokens, reasoning_tokens, cost_pico, is_error, has_tags, tags, end_state, end_state_reason, " +
  "video, end_state_key, tags_key, video_key, host_key, received_ms, arrival_rank";

/**
 * The `spans` rows of a batch as one RowBinary body, in {@link SPAN_INSERT_COLUMNS} order: one
 * string per text column and eight bytes per number, with no JSON object built per span.
 * Written into `out` after what it holds; the result is a view of its memory.
 */
export function encodeSpanRows(
  out: RowBinaryWriter,
  spans: Iterable<NormalizedSpan>,
  projectId: string,
  resourceIdOf: (span: NormalizedSpan) => string,
  receivedMs: number,
): Buffer {
  const rank = arrivalRank(receivedMs);
  for (const span of spans) {
    const carriesMetadata = span.kind === "session" || span.kind === "marker";
    out.string(projectId);
    out.string(span.traceId);
    out.string(span.spanId);
    out.nullableString(span.parentSpanId);
    out.string(span.name);
    out.string(span.kind);
    out.uint64Decimal(span.startTimeUnixNano);
    out.uint64Decimal(span.endTimeUnixNano);
    out.uint8(span.statusCode);
    out.nullableString(span.statusMessage);
    out.string(JSON.stringify(span.attributes));
    out.nullableString(span.events.length === 0 ? null : JSON.stringify(span.events));
    out.string(resourceIdOf(span));
    out.nullableString(span.model);
    out.nullableString(span.provider);
    out.int64(span.promptTokens);
    out.int64(span.completionTokens);
    out.int64(span.cachedTokens);
    out.int64(span.reasoningTokens);
    // Above 2^53 the cost is the decimal text JSON would carry, as the other columns' writers did.
    const pico = toPicoUsd(span.cost);
    if (Number.isSafeInteger(pico)) out.int64(pico);
    else out.uint64Decimal(String(pico));
    out.uint8(span.isError ? 1 : 0);
    out.uint8(span.tags === null ? 0 : 1);
    out.strings(span.tags ?? []);
    out.nullableString(span.endState);
    out.nullableString(span.endStateReason);
    out.nullableString(span.video);
    // The same keys and the same "which spans count" as RollupBatch.add.
    out.string(carriesMetadata && span.endState !== null ? endStateKey(span) : "");
    out.string(carriesMetadata && span.tags !== null ? latestKey(span) : "");
    out.string(carriesMetadata && span.video !== null ? latestKey(span) : "");
    out.paddedKey(hostRank(span), span.startTimeUnixNano, span.spanId); // hostKey(span), not built
    out.int64(receivedMs);
    out.int64(rank);
  }
  return out.bytes();
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
