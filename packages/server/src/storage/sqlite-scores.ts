import type Database from "better-sqlite3";
import { ScoreIdConflictError, ScoreLimitError } from "./errors";
import {
  latestScoresBySession,
  latestScoresObject,
  MAX_SCORES_PER_SESSION,
  toSessionScore,
  type ScoreDbRow,
} from "./scores";
import type { ScoreFilter } from "./session-view";
import type { AddScoreResult, NewScore, SessionScore } from "./types";

const SCORE_COLUMNS = "id, name, value, comment, source, created_ms";

const INSERT_SCORE = `
INSERT INTO scores (project_pk, id, trace_id, name, value, comment, source, created_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

// "Greater seq wins": the latest stored score of a name, whatever order the upserts run in.
const UPSERT_LATEST = `
INSERT INTO latest_scores (project_pk, trace_id, name, value, seq) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (project_pk, trace_id, name) DO UPDATE SET value = excluded.value, seq = excluded.seq
WHERE excluded.seq > latest_scores.seq`;

// SQLite takes the bare columns of a max() aggregate from the row that has the max.
const RECOMPUTE_LATEST = `
SELECT name, value, max(seq) AS seq FROM scores WHERE project_pk = ? AND trace_id = ? GROUP BY name`;

/** The list's join on a score: `score` is the session's latest value of that name. */
export interface SqliteScoreJoin {
  join: string;
  joinParams: unknown[];
  where: string[];
  whereParams: unknown[];
  order: string;
}

/** The scores part of the SQLite store; `statement` is the store's prepared-statement cache. */
export class SqliteScores {
  private readonly addTransaction: (projectKey: number, traceId: string, score: NewScore) => AddScoreResult;

  constructor(
    db: Database.Database,
    private readonly statement: (sql: string) => Database.Statement,
  ) {
    this.addTransaction = db.transaction((projectKey: number, traceId: string, score: NewScore) =>
      this.write(projectKey, traceId, score),
    ).immediate;
  }

  add(projectKey: number, traceId: string, score: NewScore): AddScoreResult {
    return this.addTransaction(projectKey, traceId, score);
  }

  private write(projectKey: number, traceId: string, score: NewScore): AddScoreResult {
    const existing = this.statement(
      `SELECT trace_id, ${SCORE_COLUMNS} FROM scores WHERE project_pk = ? AND id = ?`,
    ).get(projectKey, score.id) as (ScoreDbRow & { trace_id: string }) | undefined;
    if (existing !== undefined) {
      if (existing.trace_id !== traceId) throw new ScoreIdConflictError(score.id);
      return { score: toSessionScore(existing), created: false };
    }
    const { count } = this.statement(
      "SELECT count(*) AS count FROM scores WHERE project_pk = ? AND trace_id = ?",
    ).get(projectKey, traceId) as { count: number };
    if (count >= MAX_SCORES_PER_SESSION) throw new ScoreLimitError(MAX_SCORES_PER_SESSION);
    const { lastInsertRowid } = this.statement(INSERT_SCORE).run(
      projectKey,
      score.id,
      traceId,
      score.name,
      score.value,
      score.comment,
      score.source,
      score.createdMs,
    );
    this.statement(UPSERT_LATEST).run(projectKey, traceId, score.name, score.value, lastInsertRowid);
    return {
      score: toSessionScore({ ...score, created_ms: score.createdMs }),
      created: true,
    };
  }

  all(projectKey: number, traceId: string): SessionScore[] {
    const rows = this.statement(
      `SELECT ${SCORE_COLUMNS} FROM scores WHERE project_pk = ? AND trace_id = ? ORDER BY seq`,
    ).all(projectKey, traceId) as ScoreDbRow[];
    return rows.map(toSessionScore);
  }

  latest(projectKey: number, traceId: string): Record<string, number> {
    const rows = this.statement(
      "SELECT name, value FROM latest_scores WHERE project_pk = ? AND trace_id = ?",
    ).all(projectKey, traceId) as Array<{ name: string; value: number }>;
    return latestScoresObject(rows);
  }

  /** The latest score of each name found from every stored score (for checks of `latest`). */
  recomputeLatest(projectKey: number, traceId: string): Record<string, number> {
    const rows = this.statement(RECOMPUTE_LATEST).all(projectKey, traceId) as Array<{ name: string; value: number }>;
    return latestScoresObject(rows);
  }

  /** The latest scores of each of these sessions, by trace id (one query for a page of the list). */
  latestOf(projectKey: number, traceIds: string[]): Map<string, Record<string, number>> {
    if (traceIds.length === 0) return new Map();
    const rows = this.statement(
      `SELECT trace_id, name, value FROM latest_scores
       WHERE project_pk = ? AND trace_id IN (SELECT value FROM json_each(?))`,
    ).all(projectKey, JSON.stringify(traceIds)) as Array<{ trace_id: string; name: string; value: number }>;
    return latestScoresBySession(rows);
  }

  /**
   * The list's join on its score filter: the derived table exposes only `score_trace_id` and
   * `score`, so the list's own conditions on `project_pk` and `trace_id` stay unambiguous.
   */
  static listJoin(projectKey: number, filter: ScoreFilter): SqliteScoreJoin {
    const where: string[] = [];
    const whereParams: unknown[] = [];
    if (filter.min !== null) {
      where.push("score >= ?");
      whereParams.push(filter.min);
    }
    if (filter.max !== null) {
      where.push("score <= ?");
      whereParams.push(filter.max);
    }
    let order = "ORDER BY start_ms DESC, trace_id DESC";
    if (filter.order !== null) {
      const direction = filter.order === "desc" ? "DESC" : "ASC";
      if (filter.cursor !== null) {
        where.push(`(score, trace_id) ${filter.order === "desc" ? "<" : ">"} (?, ?)`);
        whereParams.push(filter.cursor.score, filter.cursor.traceId);
      }
      order = `ORDER BY score ${direction}, trace_id ${direction}`;
    }
    return {
      join: `JOIN (SELECT trace_id AS score_trace_id, value AS score FROM latest_scores
        WHERE project_pk = ? AND name = ?) AS score_filter ON score_filter.score_trace_id = sessions.trace_id`,
      joinParams: [projectKey, filter.name],
      where,
      whereParams,
      order,
    };
  }
}
