import { formatCost } from "@agentops/pricing";
import { EndStateValues, traceIdToUuid } from "@agentops/semconv";
import { StorageQueryError } from "./errors";
import { storableText } from "./storable-text";
import type { EndState, ListSessionsQuery, SessionInfo, SessionSort, SessionStats } from "./types";

/** Default for {@link SessionTiming.timeoutMs}: 30 minutes. */
export const DEFAULT_SESSION_TIMEOUT_MS = 30 * 60 * 1000;
/** The reason reported for a session that timed out. */
export const TIMED_OUT_REASON = "timed out";

/** A session's rollup as either store reads it (one row of `sessions`, or recomputed from spans). */
export interface SessionRow {
  traceId: string;
  startMs: number;
  endMs: number;
  lastSeenMs: number;
  llmCalls: number;
  toolCalls: number;
  actions: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costPico: number;
  endState: EndState | null;
  endStateReason: string | null;
  tags: string[] | null;
  video: string | null;
}

/**
 * The end state a reader sees: the stored one; else, when no span has arrived for the timeout,
 * Indeterminate "timed out"; else none (running).
 */
export function effectiveEndState(
  row: Pick<SessionRow, "endState" | "endStateReason" | "lastSeenMs">,
  now: number,
  timeoutMs: number,
): { endState: EndState | null; endStateReason: string | null } {
  if (row.endState !== null) return { endState: row.endState, endStateReason: row.endStateReason };
  if (now - row.lastSeenMs > timeoutMs)
    return { endState: EndStateValues.INDETERMINATE, endStateReason: TIMED_OUT_REASON };
  return { endState: null, endStateReason: null };
}

/**
 * The contract's stats body. `end_timestamp` is the end of the last span once the session has an
 * end state (its own or the timeout's) and null while it runs; `duration_ms` is from the first
 * span's start to the last span's end seen so far. `events` = llm_calls + tool_calls + actions +
 * errors (a failed LLM call is an LLM call and an error).
 */
export function toSessionStats(
  row: SessionRow,
  projectId: string,
  now: number,
  timeoutMs: number,
  scores: Record<string, number>,
): SessionStats {
  const { endState, endStateReason } = effectiveEndState(row, now, timeoutMs);
  return {
    session_id: traceIdToUuid(row.traceId),
    project_id: projectId,
    start_timestamp: new Date(row.startMs).toISOString(),
    end_timestamp: endState === null ? null : new Date(row.endMs).toISOString(),
    duration_ms: Math.max(0, row.endMs - row.startMs),
    end_state: endState,
    end_state_reason: endStateReason,
    tags: row.tags ?? [],
    events: row.llmCalls + row.toolCalls + row.actions + row.errors,
    llm_calls: row.llmCalls,
    tool_calls: row.toolCalls,
    actions: row.actions,
    errors: row.errors,
    prompt_tokens: row.promptTokens,
    completion_tokens: row.completionTokens,
    cached_tokens: row.cachedTokens,
    reasoning_tokens: row.reasoningTokens,
    total_tokens: row.promptTokens + row.completionTokens,
    cost: formatCost(row.costPico / 1e12),
    scores,
  };
}

export function toSessionInfo(
  row: SessionRow,
  projectId: string,
  hostEnv: Record<string, unknown> | null,
  now: number,
  timeoutMs: number,
): SessionInfo {
  const stats = toSessionStats(row, projectId, now, timeoutMs, {});
  return {
    id: stats.session_id,
    project_id: projectId,
    start_timestamp: stats.start_timestamp,
    end_timestamp: stats.end_timestamp,
    end_state: stats.end_state,
    end_state_reason: stats.end_state_reason,
    tags: stats.tags,
    host_env: hostEnv,
    video: row.video,
  };
}

/** Position after the last session of a page: sessions are ordered by (start, trace id) descending. */
export interface ListCursor {
  startMs: number;
  traceId: string;
}

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.startMs, cursor.traceId])).toString("base64url");
}

export function decodeCursor(text: string): ListCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string" &&
      /^[0-9a-f]{32}$/.test(value[1])
    ) {
      return { startMs: value[0] as number, traceId: value[1] };
    }
  } catch {
    // Reported below.
  }
  throw new StorageQueryError("invalid cursor");
}

/** Position after the last session of a page sorted by a score: (latest value, trace id). */
export interface ScoreCursor {
  score: number;
  traceId: string;
}

export function encodeScoreCursor(cursor: ScoreCursor): string {
  return Buffer.from(JSON.stringify(["score", cursor.score, cursor.traceId])).toString("base64url");
}

export function decodeScoreCursor(text: string): ScoreCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      value[0] === "score" &&
      typeof value[1] === "number" &&
      Number.isFinite(value[1]) &&
      typeof value[2] === "string" &&
      /^[0-9a-f]{32}$/.test(value[2])
    ) {
      return { score: value[1], traceId: value[2] };
    }
  } catch {
    // Reported below.
  }
  throw new StorageQueryError("invalid cursor");
}

/** A list query with its limits applied and its times parsed. */
export interface ResolvedListQuery {
  limit: number;
  cursor: ListCursor | null;
  tag: string | null;
  endState: EndState | "running" | null;
  /** Inclusive lower and exclusive upper bound of the session start, epoch ms. */
  fromMs: number | null;
  toMs: number | null;
  /** Sessions last seen before this are timed out (`now - timeout`). */
  timedOutBeforeMs: number;
  /** The score the list is filtered (and maybe sorted) by: only sessions that have one. */
  score: ScoreFilter | null;
}

/** The score part of a list query. */
export interface ScoreFilter {
  name: string;
  min: number | null;
  max: number | null;
  /** `null` keeps the start order. */
  order: "desc" | "asc" | null;
  /** Set instead of `cursor` when the list is sorted by the score. */
  cursor: ScoreCursor | null;
}

const SORTS = new Set<SessionSort>(["start_desc", "score_desc", "score_asc"]);

const END_STATE_FILTERS = new Set<string>(["Success", "Failure", "Indeterminate", "running"]);

/** Validates a list query; malformed values raise {@link StorageQueryError}. */
export function resolveListQuery(
  query: ListSessionsQuery,
  now: number,
  timeoutMs: number,
): ResolvedListQuery {
  const limit = Number.isFinite(query.limit)
    ? Math.min(200, Math.max(1, Math.trunc(query.limit)))
    : 50;
  if (query.endState !== undefined && !END_STATE_FILTERS.has(query.endState)) {
    throw new StorageQueryError(`invalid end_state ${JSON.stringify(query.endState)}`);
  }
  const score = resolveScoreFilter(query);
  return {
    limit,
    cursor: query.cursor && (score === null || score.order === null) ? decodeCursor(query.cursor) : null,
    // Stored tags went through storableText: so does the filter (PostgreSQL refuses NUL in it).
    tag: query.tag === undefined ? null : storableText(query.tag),
    endState: query.endState ?? null,
    fromMs: parseTime(query.from, "from"),
    toMs: parseTime(query.to, "to"),
    timedOutBeforeMs: now - timeoutMs,
    score,
  };
}

function resolveScoreFilter(query: ListSessionsQuery): ScoreFilter | null {
  const sort = query.sort ?? "start_desc";
  if (!SORTS.has(sort)) throw new StorageQueryError(`invalid sort ${JSON.stringify(sort)}`);
  for (const bound of [query.minScore, query.maxScore]) {
    if (bound !== undefined && (typeof bound !== "number" || !Number.isFinite(bound))) {
      throw new StorageQueryError("min_score and max_score must be finite numbers");
    }
  }
  const name = query.scoreName?.trim() ?? "";
  if (name === "") {
    if (query.minScore !== undefined || query.maxScore !== undefined || sort !== "start_desc") {
      throw new StorageQueryError("min_score, max_score and the score sorts need score_name");
    }
    return null;
  }
  const order = sort === "score_desc" ? "desc" : sort === "score_asc" ? "asc" : null;
  return {
    // Stored names went through storableText: so does the filter (PostgreSQL refuses NUL in it).
    name: storableText(name),
    min: query.minScore ?? null,
    max: query.maxScore ?? null,
    order,
    cursor: order !== null && query.cursor ? decodeScoreCursor(query.cursor) : null,
  };
}

/** An ISO timestamp → epoch ms; empty or absent → null; unreadable → `StorageQueryError`. */
export function parseTime(value: string | undefined, name: string): number | null {
  if (value === undefined || value === "") return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new StorageQueryError(`invalid ${name} timestamp ${JSON.stringify(value)}`);
  return ms;
}
