import type { ScoreSource, SessionScore } from "./types";

/** Scores a session may have: plenty for any evaluation, and a bound on what an export carries. */
export const MAX_SCORES_PER_SESSION = 1000;

/** A `scores` row as either store reads it (PostgreSQL hands bigints over as strings). */
export interface ScoreDbRow {
  id: string;
  name: string;
  value: number;
  comment: string | null;
  source: string;
  created_ms: number | string;
}

export function toSessionScore(row: ScoreDbRow): SessionScore {
  return {
    id: row.id,
    name: row.name,
    value: Number(row.value),
    comment: row.comment,
    source: row.source as ScoreSource,
    created_at: new Date(Number(row.created_ms)).toISOString(),
  };
}

/**
 * The stats' `scores` object from (name, latest value) pairs, names sorted so that both stores
 * answer alike. Built with `Object.fromEntries` so that a score named `__proto__` is a key like
 * any other.
 */
export function latestScoresObject(rows: Iterable<{ name: string; value: number | string }>): Record<string, number> {
  const entries = [...rows].map((row): [string, number] => [row.name, Number(row.value)]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(entries);
}

/** Groups (session, name, value) rows by session, for a page of the list. */
export function latestScoresBySession(
  rows: Iterable<{ trace_id: string; name: string; value: number | string }>,
): Map<string, Record<string, number>> {
  const grouped = new Map<string, Array<{ name: string; value: number | string }>>();
  for (const row of rows) {
    const traceId = row.trace_id.replace(/-/g, "");
    let list = grouped.get(traceId);
    if (list === undefined) grouped.set(traceId, (list = []));
    list.push(row);
  }
  const result = new Map<string, Record<string, number>>();
  for (const [traceId, list] of grouped) result.set(traceId, latestScoresObject(list));
  return result;
}
