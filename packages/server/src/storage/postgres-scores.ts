import type pg from "pg";
import { traceIdToUuid } from "@agentops/semconv";
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

const SCORE_COLUMNS = "id::text AS id, name, value, comment, source, created_ms";

const INSERT_SCORE = `
INSERT INTO scores (project_pk, id, trace_id, name, value, comment, source, created_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (project_pk, id) DO NOTHING
RETURNING seq`;

// "Greater seq wins": concurrent writers of one (session, name) agree on the latest.
const UPSERT_LATEST = `
INSERT INTO latest_scores AS l (project_pk, trace_id, name, value, seq) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (project_pk, trace_id, name) DO UPDATE SET value = excluded.value, seq = excluded.seq
WHERE excluded.seq > l.seq`;

const RECOMPUTE_LATEST = `
SELECT DISTINCT ON (name) name, value FROM scores
WHERE project_pk = $1 AND trace_id = $2 ORDER BY name, seq DESC`;

/** What the scores part needs of the PostgreSQL store. */
export interface PostgresScoresHost {
  pool: pg.Pool;
  /** Runs `work` in a transaction (retried on deadlock or serialization failure). */
  transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void>;
}

/** The list's join on a score, with its placeholders numbered by the list's `param`. */
export interface PostgresScoreJoin {
  join: string;
  where: string[];
  order: string;
}

/** The scores part of the PostgreSQL store. Session ids are `uuid`s, as in `sessions`. */
export class PostgresScores {
  constructor(private readonly host: PostgresScoresHost) {}

  async add(projectKey: number, traceId: string, score: NewScore): Promise<AddScoreResult> {
    const sessionUuid = traceIdToUuid(traceId);
    let result: AddScoreResult | undefined;
    await this.host.transaction(async (client) => {
      result = await this.write(client, projectKey, sessionUuid, score);
    });
    return result!;
  }

  private async write(
    client: pg.PoolClient,
    projectKey: number,
    sessionUuid: string,
    score: NewScore,
  ): Promise<AddScoreResult> {
    const stored = await this.existing(client, projectKey, sessionUuid, score.id);
    if (stored !== undefined) return stored;
    const counted = await client.query<{ count: string }>(
      "SELECT count(*) AS count FROM scores WHERE project_pk = $1 AND trace_id = $2",
      [projectKey, sessionUuid],
    );
    if (Number(counted.rows[0]!.count) >= MAX_SCORES_PER_SESSION) {
      throw new ScoreLimitError(MAX_SCORES_PER_SESSION);
    }
    const inserted = await client.query<{ seq: string }>(INSERT_SCORE, [
      projectKey,
      score.id,
      sessionUuid,
      score.name,
      score.value,
      score.comment,
      score.source,
      score.createdMs,
    ]);
    const seq = inserted.rows[0]?.seq;
    if (seq === undefined) {
      // Another request stored this id between our read and our insert.
      const raced = await this.existing(client, projectKey, sessionUuid, score.id);
      if (raced !== undefined) return raced;
      throw new Error(`score ${score.id} conflicted but is not stored`);
    }
    await client.query(UPSERT_LATEST, [projectKey, sessionUuid, score.name, score.value, seq]);
    return { score: toSessionScore({ ...score, created_ms: score.createdMs }), created: true };
  }

  /** The score stored under this id, or undefined; another session's rejects. */
  private async existing(
    client: pg.PoolClient,
    projectKey: number,
    sessionUuid: string,
    id: string,
  ): Promise<AddScoreResult | undefined> {
    const { rows } = await client.query<ScoreDbRow & { trace_id: string }>(
      `SELECT trace_id::text AS trace_id, ${SCORE_COLUMNS} FROM scores WHERE project_pk = $1 AND id = $2`,
      [projectKey, id],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    if (row.trace_id !== sessionUuid) throw new ScoreIdConflictError(id);
    return { score: toSessionScore(row), created: false };
  }

  async all(projectKey: number, traceId: string): Promise<SessionScore[]> {
    const { rows } = await this.host.pool.query<ScoreDbRow>(
      `SELECT ${SCORE_COLUMNS} FROM scores WHERE project_pk = $1 AND trace_id = $2 ORDER BY seq`,
      [projectKey, traceIdToUuid(traceId)],
    );
    return rows.map(toSessionScore);
  }

  async latest(projectKey: number, traceId: string): Promise<Record<string, number>> {
    const { rows } = await this.host.pool.query<{ name: string; value: number }>({
      name: "agentops_latest_scores",
      text: "SELECT name, value FROM latest_scores WHERE project_pk = $1 AND trace_id = $2",
      values: [projectKey, traceIdToUuid(traceId)],
    });
    return latestScoresObject(rows);
  }

  /** The latest score of each name found from every stored score (for checks of `latest`). */
  async recomputeLatest(projectKey: number, traceId: string): Promise<Record<string, number>> {
    const { rows } = await this.host.pool.query<{ name: string; value: number }>(RECOMPUTE_LATEST, [
      projectKey,
      traceIdToUuid(traceId),
    ]);
    return latestScoresObject(rows);
  }

  /** The latest scores of each of these sessions, by trace id (one query for a page of the list). */
  async latestOf(projectKey: number, traceIds: string[]): Promise<Map<string, Record<string, number>>> {
    if (traceIds.length === 0) return new Map();
    const { rows } = await this.host.pool.query<{ trace_id: string; name: string; value: number }>(
      `SELECT trace_id::text AS trace_id, name, value FROM latest_scores
       WHERE project_pk = $1 AND trace_id = ANY($2::uuid[])`,
      [projectKey, traceIds.map(traceIdToUuid)],
    );
    return latestScoresBySession(rows);
  }

  /**
   * The list's join on its score filter: the derived table exposes only `score_trace_id` and
   * `score`, so the list's own conditions on `project_pk` and `trace_id` stay unambiguous.
   */
  static listJoin(projectKey: number, filter: ScoreFilter, param: (value: unknown) => string): PostgresScoreJoin {
    const join = `JOIN (SELECT trace_id AS score_trace_id, value AS score FROM latest_scores
      WHERE project_pk = ${param(projectKey)}::integer AND name = ${param(filter.name)}::text) AS score_filter
      ON score_filter.score_trace_id = sessions.trace_id`;
    const where: string[] = [];
    if (filter.min !== null) where.push(`score >= ${param(filter.min)}::double precision`);
    if (filter.max !== null) where.push(`score <= ${param(filter.max)}::double precision`);
    let order = "ORDER BY start_ms DESC, trace_id DESC";
    if (filter.order !== null) {
      const direction = filter.order === "desc" ? "DESC" : "ASC";
      if (filter.cursor !== null) {
        where.push(
          `(score, trace_id) ${filter.order === "desc" ? "<" : ">"} (${param(filter.cursor.score)}::double precision, ${param(traceIdToUuid(filter.cursor.traceId))}::uuid)`,
        );
      }
      order = `ORDER BY score ${direction}, trace_id ${direction}`;
    }
    return { join, where, order };
  }
}
