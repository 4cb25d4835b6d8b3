import { ScoreIdConflictError, ScoreLimitError } from "../errors";
import { latestScoresBySession, latestScoresObject, MAX_SCORES_PER_SESSION, toSessionScore } from "../scores";
import type { ScoreFilter } from "../session-view";
import type { AddScoreResult, NewScore, SessionScore } from "../types";
import type { ClickHouseConnection } from "./connection";
import { arrivalRank, table } from "./schema";
import { joinSql, raw, sql, type Sql } from "./sql";

/** A score's value as the UInt64 of its IEEE 754 bits (decimal), as stored. */
export function valueBits(value: number): string {
  const buffer = Buffer.alloc(8);
  buffer.writeDoubleLE(value);
  return buffer.readBigUInt64LE().toString();
}

/** The number whose IEEE 754 bits these are. */
export function valueOfBits(bits: string): number {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt(bits));
  return buffer.readDoubleLE();
}

/** The stored bits as a Float64 in SQL (the column, or a literal of bits). */
function asFloat(bits: Sql): Sql {
  return sql`reinterpretAsFloat64(reinterpretAsString(${bits}))`;
}

/** A bound or cursor value as a Float64 literal: exact, since no float goes into SQL text. */
function floatLiteral(value: number): Sql {
  return asFloat(sql`toUInt64(${BigInt(valueBits(value))})`);
}

interface ScoreRow {
  trace_id: string;
  id: string;
  name: string;
  value_bits: string;
  comment: string | null;
  source: string;
  created_ms: string;
}

function toScore(row: ScoreRow): SessionScore {
  return toSessionScore({ ...row, value: valueOfBits(row.value_bits) });
}

/** The list's join on its score filter: `score` is each session's latest value of that name. */
export interface ClickHouseScoreJoin {
  /** `(SELECT trace_id, l_bits, l_score …)`, to join the session aggregates on `trace_id`. */
  source: Sql;
  where: Sql[];
  /** The sort keys (without `ORDER BY`). */
  order: Sql;
}

/**
 * Scores on ClickHouse: one row per score, kept forever. Without transactions, the checks are
 * reads before the insert: a score id already stored is answered from the stored row, and so
 * is an id stored twice by a race (the first arrival is the row kept). Two racing writes can
 * pass the per-session limit by their number, and an id raced into two sessions is two scores.
 *
 * "Latest" is the greatest `seq`: this process's clock in microseconds, made strictly
 * increasing, so scores written one after another by a server keep their order, and across
 * servers the later clock wins. The history lists by the same `seq`, so the latest of a name is
 * always the last of it in the history.
 */
export class ClickHouseScores {
  private readonly scores: Sql;
  private lastSeq = 0;

  constructor(private readonly connection: ClickHouseConnection, db: Sql) {
    this.scores = table(db, "scores");
  }

  async add(projectId: string, traceId: string, score: NewScore): Promise<AddScoreResult> {
    const stored = await this.existing(projectId, traceId, score.id);
    if (stored !== undefined) return stored;
    const [counted] = await this.connection.rows<{ n: string }>(
      sql`SELECT uniqExact(id) AS n FROM ${this.scores} WHERE project_id = ${projectId} AND trace_id = ${traceId}`,
    );
    if (Number(counted?.n ?? 0) >= MAX_SCORES_PER_SESSION) throw new ScoreLimitError(MAX_SCORES_PER_SESSION);
    const now = Date.now();
    this.lastSeq = Math.max(now * 1000, this.lastSeq + 1);
    await this.connection.insert(this.scores, [
      {
        project_id: projectId,
        trace_id: traceId,
        id: score.id,
        name: score.name,
        value_bits: valueBits(score.value),
        comment: score.comment,
        source: score.source,
        created_ms: score.createdMs,
        seq: this.lastSeq,
        arrival_rank: arrivalRank(now),
      },
    ]);
    // A replay racing this one may have stored the id first: answer with the row that is kept.
    const kept = await this.existing(projectId, traceId, score.id);
    if (kept === undefined) throw new Error(`score ${score.id} was written but is not stored`);
    const mine = toSessionScore({ ...score, created_ms: score.createdMs });
    return JSON.stringify(kept.score) === JSON.stringify(mine) ? { score: kept.score, created: true } : kept;
  }

  /** The score stored under this id in the project, or undefined; another session's rejects. */
  private async existing(projectId: string, traceId: string, id: string): Promise<AddScoreResult | undefined> {
    const [row] = await this.connection.rows<ScoreRow>(
      sql`SELECT trace_id, id, name, value_bits, comment, source, created_ms FROM ${this.scores}
        WHERE project_id = ${projectId} AND id = ${id}
        ORDER BY arrival_rank DESC, trace_id LIMIT 1`,
    );
    if (row === undefined) return undefined;
    if (row.trace_id !== traceId) throw new ScoreIdConflictError(id);
    return { score: toScore(row), created: false };
  }

  /** Every score of the session, oldest (smallest seq) first; a duplicated id once. */
  async all(projectId: string, traceId: string): Promise<SessionScore[]> {
    const rows = await this.connection.rows<ScoreRow>(
      sql`SELECT trace_id, id, name, value_bits, comment, source, created_ms FROM (
          SELECT * FROM ${this.scores} WHERE project_id = ${projectId} AND trace_id = ${traceId}
          ORDER BY id, arrival_rank DESC LIMIT 1 BY id)
        ORDER BY seq, id`,
    );
    return rows.map(toScore);
  }

  /** The latest value of each name of the session. */
  async latest(projectId: string, traceId: string): Promise<Record<string, number>> {
    return (await this.latestOf(projectId, [traceId])).get(traceId) ?? {};
  }

  /** The latest scores of each of these sessions, by trace id (one query for a page of the list). */
  async latestOf(projectId: string, traceIds: string[]): Promise<Map<string, Record<string, number>>> {
    if (traceIds.length === 0) return new Map();
    const ids = joinSql(traceIds.map((traceId) => sql`${traceId}`), ", ");
    const rows = await this.connection.rows<{ trace_id: string; name: string; bits: string }>(
      sql`SELECT trace_id, name, argMax(value_bits, (seq, id)) AS bits FROM ${this.scores}
        WHERE project_id = ${projectId} AND trace_id IN (${ids}) GROUP BY trace_id, name`,
    );
    return latestScoresBySession(rows.map((row) => ({ trace_id: row.trace_id, name: row.name, value: valueOfBits(row.bits) })));
  }

  /** The same as {@link latest}, by another route (the history), for checks. */
  async recomputeLatest(projectId: string, traceId: string): Promise<Record<string, number>> {
    const latest = new Map<string, number>();
    for (const score of await this.all(projectId, traceId)) latest.set(score.name, score.value);
    return latestScoresObject([...latest].map(([name, value]) => ({ name, value })));
  }

  /** The list's filter (and order) on a score's latest value. */
  listJoin(projectId: string, filter: ScoreFilter): ClickHouseScoreJoin {
    const score = raw("l_score");
    const source = sql`(SELECT trace_id, l_bits, ${asFloat(raw("l_bits"))} AS l_score FROM (
        SELECT trace_id, argMax(value_bits, (seq, id)) AS l_bits FROM ${this.scores}
        WHERE project_id = ${projectId} AND name = ${filter.name} GROUP BY trace_id))`;
    const where: Sql[] = [];
    if (filter.min !== null) where.push(sql`${score} >= ${floatLiteral(filter.min)}`);
    if (filter.max !== null) where.push(sql`${score} <= ${floatLiteral(filter.max)}`);
    let order = raw("s_start_ms DESC, trace_id DESC");
    if (filter.order !== null) {
      const direction = raw(filter.order === "desc" ? "DESC" : "ASC");
      if (filter.cursor !== null) {
        const after = raw(filter.order === "desc" ? "<" : ">");
        const at = floatLiteral(filter.cursor.score);
        where.push(sql`(${score} ${after} ${at} OR (${score} = ${at} AND trace_id ${after} ${filter.cursor.traceId}))`);
      }
      order = sql`${score} ${direction}, trace_id ${direction}`;
    }
    return { source, where, order };
  }
}
