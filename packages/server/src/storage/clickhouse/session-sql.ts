import { MAX_SESSION_COST_PICO } from "../rollup";
import type { SessionRow } from "../session-view";
import type { EndState } from "../types";
import { joinSql, raw, sql, type Sql } from "./sql";

/**
 * Sessions are not stored: their stats are aggregated from the spans on every read. These are the
 * aggregates, over spans that `source` yields, one row per trace. The metadata winners are the
 * span with the greatest key (see rollup.ts), and the host the span with the smallest; a key of
 * '' means "says nothing", so the winner only counts when the greatest key is not ''.
 *
 * Aliases differ from column names on purpose: ClickHouse 18.16 resolves a name to a select alias
 * first, so `max(end_state_key) AS end_state_key` would turn every other use of the column into
 * an aggregate of an aggregate.
 */
export function sessionAggregates(source: Sql): Sql {
  return sql`SELECT
    trace_id,
    count() AS s_rows,
    uniqExact(reinterpretAsUInt64(unhex(span_id))) AS s_span_ids,
    intDiv(min(start_ns), 1000000) AS s_start_ms,
    intDiv(max(end_ns), 1000000) AS s_end_ms,
    max(received_ms) AS s_last_seen_ms,
    countIf(kind = 'llm') AS s_llm_calls,
    countIf(kind = 'tool') AS s_tool_calls,
    countIf(kind = 'action') AS s_actions,
    countIf(is_error = 1) AS s_errors,
    sum(prompt_tokens) AS s_prompt_tokens,
    sum(completion_tokens) AS s_completion_tokens,
    sum(cached_tokens) AS s_cached_tokens,
    sum(reasoning_tokens) AS s_reasoning_tokens,
    ${saturatedCostSum("cost_pico")} AS s_cost_pico,
    max(end_state_key) AS s_end_state_key,
    argMax(assumeNotNull(end_state), end_state_key) AS s_end_state,
    argMax(concat(if(isNull(end_state_reason), '0', '1'), assumeNotNull(end_state_reason)), end_state_key) AS s_reason,
    max(tags_key) AS s_tags_key,
    argMax(tags, tags_key) AS s_tags,
    max(video_key) AS s_video_key,
    argMax(assumeNotNull(video), video_key) AS s_video,
    argMin(resource_id, host_key) AS s_host_resource_id
  FROM ${source}
  GROUP BY trace_id`;
}

/**
 * The sum of a non-negative UInt64 cost column, saturating at MAX_SESSION_COST_PICO exactly as
 * the other stores do. The UInt64 sum is exact until it wraps past 2^64; a Float64 sum beside it
 * tells the two cases apart (its relative error is far below the gap between 9e18 and 9.1e18).
 * With a `condition`, only the rows meeting it are summed.
 */
export function saturatedCostSum(column: string, condition?: Sql): Sql {
  const max = raw(String(MAX_SESSION_COST_PICO));
  const c = raw(column);
  if (condition === undefined) {
    return sql`if(sum(toFloat64(${c})) >= 9.1e18, toUInt64(${max}), least(sum(${c}), toUInt64(${max})))`;
  }
  return sql`if(sumIf(toFloat64(${c}), ${condition}) >= 9.1e18, toUInt64(${max}), least(sumIf(${c}, ${condition}), toUInt64(${max})))`;
}

/**
 * Spans of a project (or of one session), deduplicated by `FINAL`: a streaming merge of the
 * parts, memory-light whatever the project's size, but single-threaded and several times slower
 * than reading the rows on 18.16. The session list and usage read this way only when
 * {@link repeatedKeys} finds a span stored twice; `recomputeStats` always does, as a check.
 */
export function finalSpans(spans: Sql, projectId: string, traceId?: string): Sql {
  const where = [sql`project_id = ${projectId}`];
  if (traceId !== undefined) where.push(sql`trace_id = ${traceId}`);
  return sql`${spans} FINAL WHERE ${joinSql(where, " AND ")}`;
}

/**
 * A project's (or one session's) rows as stored, duplicates included. Aggregates over them are
 * exact when no (trace, span) key is stored twice, the usual case: a redelivered span is a
 * second row only until ClickHouse merges the parts. A session's stats are read this way first
 * and again from {@link firstArrivals} when a span id repeats (`s_rows != s_span_ids`); the
 * list and usage first, then again from {@link finalSpans} when a key repeats anywhere in the
 * project (see project-reads.ts).
 */
export function allRows(spans: Sql, projectId: string, traceId?: string): Sql {
  if (traceId === undefined) return sql`${spans} WHERE project_id = ${projectId}`;
  return sql`${spans} WHERE project_id = ${projectId} AND trace_id = ${traceId}`;
}

/** Whether an aggregate row counted each span once (no span id in two rows). */
export function countedOnce(row: Pick<SessionAggregateRow, "s_rows" | "s_span_ids">): boolean {
  return row.s_rows === row.s_span_ids;
}

/**
 * A session's spans deduplicated without `FINAL`: the first arrival of each span id, picked by
 * sorting (`LIMIT 1 BY`); faster than `FINAL` for one session on ClickHouse 18.16 (measured).
 * The export reads this way, and a session's stats when a span id repeats; `FINAL` recomputes
 * stats by another route, as a check.
 */
export function firstArrivals(spans: Sql, projectId: string, traceId: string): Sql {
  return sql`(SELECT * FROM ${spans}
    WHERE project_id = ${projectId} AND trace_id = ${traceId}
    ORDER BY span_id, arrival_rank DESC
    LIMIT 1 BY span_id)`;
}

/** A row of {@link sessionAggregates} as JSONEachRow returns it (64-bit integers as strings). */
export interface SessionAggregateRow {
  trace_id: string;
  s_rows: string;
  s_span_ids: string;
  s_start_ms: string;
  s_end_ms: string;
  s_last_seen_ms: string;
  s_llm_calls: string;
  s_tool_calls: string;
  s_actions: string;
  s_errors: string;
  s_prompt_tokens: string;
  s_completion_tokens: string;
  s_cached_tokens: string;
  s_reasoning_tokens: string;
  s_cost_pico: string;
  s_end_state_key: string;
  s_end_state: string;
  s_reason: string;
  s_tags_key: string;
  s_tags: string[];
  s_video_key: string;
  s_video: string;
  s_host_resource_id: string;
}

export function toSessionRow(row: SessionAggregateRow): SessionRow {
  const ended = row.s_end_state_key !== "";
  return {
    traceId: row.trace_id,
    startMs: Number(row.s_start_ms),
    endMs: Number(row.s_end_ms),
    lastSeenMs: Number(row.s_last_seen_ms),
    llmCalls: Number(row.s_llm_calls),
    toolCalls: Number(row.s_tool_calls),
    actions: Number(row.s_actions),
    errors: Number(row.s_errors),
    promptTokens: Number(row.s_prompt_tokens),
    completionTokens: Number(row.s_completion_tokens),
    cachedTokens: Number(row.s_cached_tokens),
    reasoningTokens: Number(row.s_reasoning_tokens),
    costPico: Number(row.s_cost_pico),
    endState: ended ? (row.s_end_state as EndState) : null,
    endStateReason: ended && row.s_reason.startsWith("1") ? row.s_reason.slice(1) : null,
    tags: row.s_tags_key === "" ? null : row.s_tags,
    video: row.s_video_key === "" ? null : row.s_video,
  };
}
