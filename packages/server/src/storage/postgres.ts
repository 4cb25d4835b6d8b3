import { randomUUID } from "node:crypto";
import pg from "pg";
import { traceIdToUuid, uuidToTraceId } from "@agentops/semconv";
import { UnknownProjectError } from "./errors";
import { pendingMigrations } from "./migration";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations";
import { PostgresScores } from "./postgres-scores";
import { KnownResources, ResourceIds, type StoredResource } from "./resource-id";
import { MAX_SESSION_COST_PICO, RollupBatch, toPicoUsd, type SessionDelta } from "./rollup";
import {
  DEFAULT_SESSION_TIMEOUT_MS,
  encodeCursor,
  encodeScoreCursor,
  resolveListQuery,
  toSessionInfo,
  toSessionStats,
  type SessionRow,
} from "./session-view";
import { spanColumns, toStoredSpan, type SpanRow } from "./span-row";
import { NS_PER_DAY, resolveUsageQuery, toUsageRow, type UsageDbRow } from "./usage-view";
import type {
  AddScoreResult,
  EndState,
  IngestResult,
  ListSessionsPage,
  ListSessionsQuery,
  NewScore,
  NormalizedSpan,
  Project,
  SessionInfo,
  SessionScore,
  SessionStats,
  Storage,
  StoredSpan,
  UsageQuery,
  UsageRow,
} from "./types";

/** Options of {@link PostgresStorage}. */
export interface PostgresStorageOptions {
  /** A session with no end state and no span for this long reads as Indeterminate "timed out". Default 30 min. */
  sessionTimeoutMs?: number;
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
}

/** Bigint columns arrive as strings from `pg`; counts and sums fit a double exactly. */
interface SessionDbRow {
  trace_id: string;
  start_ms: string;
  end_ms: string;
  last_seen_ms: string;
  llm_calls: string;
  tool_calls: string;
  actions: string;
  errors: string;
  prompt_tokens: string;
  completion_tokens: string;
  cached_tokens: string;
  reasoning_tokens: string;
  cost_pico: string;
  end_state: string | null;
  end_state_reason: string | null;
  tags: string[] | null;
  video: string | null;
  host_resource_id: string | null;
}

const SESSION_COLUMNS =
  "trace_id, start_ms, end_ms, last_seen_ms, llm_calls, tool_calls, actions, errors, prompt_tokens, " +
  "completion_tokens, cached_tokens, reasoning_tokens, cost_pico, end_state, end_state_reason, tags, video, host_resource_id";

/** Serialises schema changes of one schema across every server sharing the database. */
const MIGRATION_LOCK =
  "SELECT pg_advisory_xact_lock(hashtext('agentops.schema_migrations:' || current_schema()))";

// One statement per batch whatever its size: columns travel as arrays and unnest into rows.
const INSERT_SPANS = `
INSERT INTO spans (project_pk, trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, status_code,
  status_message, attributes, events, resource_id, model, provider, prompt_tokens, completion_tokens, cached_tokens,
  reasoning_tokens, cost_pico, is_error, tags, end_state, end_state_reason, video, received_ms)
SELECT $1::integer, u.*, $26::bigint
FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::smallint[],
  $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[], $17::bigint[],
  $18::bigint[], $19::bigint[], $20::bigint[], $21::boolean[], $22::text[], $23::text[], $24::text[], $25::text[]) AS u
ON CONFLICT (project_pk, trace_id, span_id) DO NOTHING
RETURNING trace_id, span_id`;

const INSERT_RESOURCES = `
INSERT INTO resources (project_pk, id, attributes)
SELECT $1::integer, u.* FROM unnest($2::text[], $3::text[]) AS u
ON CONFLICT DO NOTHING`;

// Every update commutes (see SessionDelta): sums, least/greatest, and "greater key wins" for metadata.
const UPSERT_SESSIONS = `
INSERT INTO sessions AS s (project_pk, trace_id, start_ms, end_ms, last_seen_ms, spans, llm_calls, tool_calls,
  actions, errors, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_pico, end_state,
  end_state_reason, end_state_key, tags, tags_key, video, video_key, host_resource_id, host_key)
SELECT $1::integer, u.trace_id, u.start_ms, u.end_ms, u.last_seen_ms, u.spans, u.llm_calls, u.tool_calls, u.actions,
  u.errors, u.prompt_tokens, u.completion_tokens, u.cached_tokens, u.reasoning_tokens, u.cost_pico, u.end_state,
  u.end_state_reason, u.end_state_key, u.tags::jsonb, u.tags_key, u.video, u.video_key, u.host_resource_id, u.host_key
FROM unnest($2::uuid[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
  $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],
  $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[])
  AS u (trace_id, start_ms, end_ms, last_seen_ms, spans, llm_calls, tool_calls, actions, errors, prompt_tokens,
    completion_tokens, cached_tokens, reasoning_tokens, cost_pico, end_state, end_state_reason, end_state_key, tags,
    tags_key, video, video_key, host_resource_id, host_key)
ORDER BY u.trace_id
ON CONFLICT (project_pk, trace_id) DO UPDATE SET
  start_ms = least(s.start_ms, excluded.start_ms),
  end_ms = greatest(s.end_ms, excluded.end_ms),
  last_seen_ms = greatest(s.last_seen_ms, excluded.last_seen_ms),
  spans = s.spans + excluded.spans,
  llm_calls = s.llm_calls + excluded.llm_calls,
  tool_calls = s.tool_calls + excluded.tool_calls,
  actions = s.actions + excluded.actions,
  errors = s.errors + excluded.errors,
  prompt_tokens = s.prompt_tokens + excluded.prompt_tokens,
  completion_tokens = s.completion_tokens + excluded.completion_tokens,
  cached_tokens = s.cached_tokens + excluded.cached_tokens,
  reasoning_tokens = s.reasoning_tokens + excluded.reasoning_tokens,
  cost_pico = least(s.cost_pico::numeric + excluded.cost_pico, ${MAX_SESSION_COST_PICO}),
  end_state = CASE WHEN excluded.end_state_key > coalesce(s.end_state_key, '') THEN excluded.end_state ELSE s.end_state END,
  end_state_reason = CASE WHEN excluded.end_state_key > coalesce(s.end_state_key, '')
    THEN excluded.end_state_reason ELSE s.end_state_reason END,
  end_state_key = CASE WHEN excluded.end_state_key > coalesce(s.end_state_key, '')
    THEN excluded.end_state_key ELSE s.end_state_key END,
  tags = CASE WHEN excluded.tags_key > coalesce(s.tags_key, '') THEN excluded.tags ELSE s.tags END,
  tags_key = CASE WHEN excluded.tags_key > coalesce(s.tags_key, '') THEN excluded.tags_key ELSE s.tags_key END,
  video = CASE WHEN excluded.video_key > coalesce(s.video_key, '') THEN excluded.video ELSE s.video END,
  video_key = CASE WHEN excluded.video_key > coalesce(s.video_key, '') THEN excluded.video_key ELSE s.video_key END,
  host_resource_id = CASE WHEN excluded.host_key < coalesce(s.host_key, '~')
    THEN excluded.host_resource_id ELSE s.host_resource_id END,
  host_key = CASE WHEN excluded.host_key < coalesce(s.host_key, '~') THEN excluded.host_key ELSE s.host_key END`;

const RECOMPUTE_TOTALS = `
SELECT count(*) AS spans,
  min(start_ns) / 1000000 AS start_ms,
  max(end_ns) / 1000000 AS end_ms,
  max(received_ms) AS last_seen_ms,
  count(*) FILTER (WHERE kind = 'llm') AS llm_calls,
  count(*) FILTER (WHERE kind = 'tool') AS tool_calls,
  count(*) FILTER (WHERE kind IN ('action', 'agent')) AS actions,
  count(*) FILTER (WHERE is_error) AS errors,
  coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
  coalesce(sum(completion_tokens), 0) AS completion_tokens,
  coalesce(sum(cached_tokens), 0) AS cached_tokens,
  coalesce(sum(reasoning_tokens), 0) AS reasoning_tokens,
  least(coalesce(sum(cost_pico), 0), ${MAX_SESSION_COST_PICO}) AS cost_pico
FROM spans WHERE project_pk = $1 AND trace_id = $2`;

// The same winners as the rollup keys in rollup.ts, found by sorting the stored spans.
const RECOMPUTE_METADATA = `
SELECT
  (SELECT array[end_state, end_state_reason] FROM spans
    WHERE project_pk = $1 AND trace_id = $2 AND end_state IS NOT NULL AND kind IN ('session', 'marker')
    ORDER BY kind = 'session' DESC, end_ns DESC, span_id DESC LIMIT 1) AS end_state,
  (SELECT tags FROM spans
    WHERE project_pk = $1 AND trace_id = $2 AND tags IS NOT NULL AND kind IN ('session', 'marker')
    ORDER BY end_ns DESC, kind = 'session' DESC, span_id DESC LIMIT 1) AS tags,
  (SELECT video FROM spans
    WHERE project_pk = $1 AND trace_id = $2 AND video IS NOT NULL AND kind IN ('session', 'marker')
    ORDER BY end_ns DESC, kind = 'session' DESC, span_id DESC LIMIT 1) AS video`;

const SPAN_PAGE = `
SELECT ${spanColumns((column) => `${column}::text`)} FROM spans
WHERE project_pk = $1 AND trace_id = $2 AND (start_ns, span_id) > ($3::bigint, $4::text)
ORDER BY start_ns, span_id LIMIT $5`;

/** Deadlocks cannot arise between our writers (they lock rows in one order), but a retry costs nothing. */
const RETRYABLE = new Set(["40P01", "40001"]);
const MAX_ATTEMPTS = 5;

/**
 * The PostgreSQL store (`pg` pool). Each ingest is one transaction of three statements — new
 * resources, the spans (`ON CONFLICT DO NOTHING RETURNING` tells which rows are new), and the
 * rollups of the sessions those rows belong to (`ON CONFLICT DO UPDATE` with additive
 * increments) — so any number of servers can write one session at once and stay exact. Rows are
 * written in key order so that concurrent writers never deadlock.
 *
 * @example
 * const storage = new PostgresStorage("postgres://agentops:secret@127.0.0.1:5432/agentops");
 * await storage.migrate();
 */
export class PostgresStorage implements Storage {
  private readonly pool: pg.Pool;
  private readonly timeoutMs: number;
  private readonly projectKeys = new Map<string, number>();
  private readonly knownResources = new KnownResources();
  private readonly scores: PostgresScores;

  constructor(url: string, options: PostgresStorageOptions = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      application_name: "agentops-server",
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on("error", () => undefined);
    this.timeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.scores = new PostgresScores({ pool: this.pool, transaction: (work) => this.transaction(work) });
  }

  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(MIGRATION_LOCK);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number }>(
        "SELECT version FROM schema_migrations",
      );
      for (const migration of pendingMigrations(
        POSTGRES_MIGRATIONS,
        new Set(rows.map((row) => row.version)),
      )) {
        await client.query(migration.sql);
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
          migration.version,
          migration.name,
        ]);
      }
    });
  }

  async ingest(projectId: string, spans: NormalizedSpan[]): Promise<IngestResult> {
    const projectKey = await this.projectKey(projectId);
    if (projectKey === undefined) throw new UnknownProjectError(projectId);
    if (spans.length === 0) return { accepted: 0 };

    // One row per (trace, span), in key order; the first of duplicates in a batch wins.
    const unique = new Map<string, NormalizedSpan>();
    for (const span of spans) {
      const key = span.traceId + span.spanId;
      if (!unique.has(key)) unique.set(key, span);
    }
    const ordered = [...unique.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map((entry) => entry[1]);
    const resources = new ResourceIds();
    const resourceIds = ordered.map((span) => resources.get(span.resource).id);
    const newResources = new Map<string, StoredResource>();
    for (const resource of resources.values()) {
      if (!this.knownResources.has(projectKey, resource.id))
        newResources.set(resource.id, resource);
    }
    const columns = spanArrays(ordered, resourceIds);

    await this.transaction(async (client) => {
      if (newResources.size > 0) {
        const sorted = [...newResources.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
        await client.query(INSERT_RESOURCES, [
          projectKey,
          sorted.map((r) => r.id),
          sorted.map((r) => r.json),
        ]);
      }
      const receivedMs = Date.now();
      const inserted = await client.query<{ trace_id: string; span_id: string }>({
        name: "agentops_insert_spans",
        text: INSERT_SPANS,
        values: [projectKey, ...columns, receivedMs],
      });
      if (inserted.rows.length === 0) return;
      const batch = new RollupBatch(receivedMs);
      const indexByKey = new Map<string, number>();
      for (let i = 0; i < ordered.length; i++)
        indexByKey.set(ordered[i]!.sessionId + ordered[i]!.spanId, i);
      for (const row of inserted.rows) {
        const index = indexByKey.get(row.trace_id + row.span_id)!;
        batch.add(ordered[index]!, resourceIds[index]!, columns[18][index]!);
      }
      await client.query({
        name: "agentops_upsert_sessions",
        text: UPSERT_SESSIONS,
        values: [projectKey, ...sessionArrays(batch.sorted())],
      });
    });
    for (const id of newResources.keys()) this.knownResources.add(projectKey, id);
    return { accepted: spans.length };
  }

  async sessionStats(
    projectId: string,
    sessionId: string,
    now = Date.now(),
  ): Promise<SessionStats | undefined> {
    const row = await this.sessionRow(projectId, sessionId);
    if (row === undefined) return undefined;
    const traceId = row.trace_id.replace(/-/g, "");
    const scores = await this.scores.latest((await this.projectKey(projectId))!, traceId);
    return toSessionStats(toRow(row), projectId, now, this.timeoutMs, scores);
  }

  async recomputeStats(
    projectId: string,
    sessionId: string,
    now = Date.now(),
  ): Promise<SessionStats | undefined> {
    const projectKey = await this.projectKey(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (projectKey === undefined || traceId === undefined) return undefined;
    const params = [projectKey, traceIdToUuid(traceId)];
    const totals = (await this.pool.query(RECOMPUTE_TOTALS, params)).rows[0] as Record<
      string,
      string
    >;
    if (Number(totals.spans) === 0) return undefined;
    const metadata = (await this.pool.query(RECOMPUTE_METADATA, params)).rows[0] as {
      end_state: [string, string | null] | null;
      tags: string | null;
      video: string | null;
    };
    const row = {
      ...totals,
      trace_id: traceId,
      end_state: metadata.end_state?.[0] ?? null,
      end_state_reason: metadata.end_state?.[1] ?? null,
      tags: metadata.tags === null ? null : (JSON.parse(metadata.tags) as string[]),
      video: metadata.video,
      host_resource_id: null,
    } as SessionDbRow;
    const scores = await this.scores.recomputeLatest(projectKey, traceId);
    return toSessionStats(toRow(row), projectId, now, this.timeoutMs, scores);
  }

  async sessionInfo(
    projectId: string,
    sessionId: string,
    now = Date.now(),
  ): Promise<SessionInfo | undefined> {
    const row = await this.sessionRow(projectId, sessionId);
    if (row === undefined) return undefined;
    let hostEnv: Record<string, unknown> | null = null;
    if (row.host_resource_id !== null) {
      const { rows } = await this.pool.query<{ attributes: string }>(
        "SELECT attributes FROM resources WHERE project_pk = $1 AND id = $2",
        [await this.projectKey(projectId), row.host_resource_id],
      );
      if (rows[0]) hostEnv = JSON.parse(rows[0].attributes) as Record<string, unknown>;
    }
    return toSessionInfo(toRow(row), projectId, hostEnv, now, this.timeoutMs);
  }

  async *sessionSpans(
    projectId: string,
    sessionId: string,
    batchSize = 1000,
  ): AsyncIterable<StoredSpan[]> {
    const projectKey = await this.projectKey(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (projectKey === undefined || traceId === undefined) return;
    const size = Math.max(1, Math.min(10_000, Math.trunc(batchSize) || 1000));
    const uuid = traceIdToUuid(traceId);
    const resources = new Map<string, Record<string, unknown>>();
    let afterStart = "-1";
    let afterSpan = "";
    for (;;) {
      const { rows } = await this.pool.query<SpanRow>({
        name: "agentops_span_page",
        text: SPAN_PAGE,
        values: [projectKey, uuid, afterStart, afterSpan, size],
      });
      if (rows.length === 0) return;
      const missing = [...new Set(rows.map((row) => row.resource_id))].filter(
        (id) => !resources.has(id),
      );
      if (missing.length > 0) {
        if (resources.size + missing.length > 1000) resources.clear();
        const found = await this.pool.query<{ id: string; attributes: string }>(
          "SELECT id, attributes FROM resources WHERE project_pk = $1 AND id = ANY($2::text[])",
          [projectKey, missing],
        );
        for (const id of missing) resources.set(id, {});
        for (const row of found.rows)
          resources.set(row.id, JSON.parse(row.attributes) as Record<string, unknown>);
      }
      yield rows.map((row) => toStoredSpan(row, projectId, resources.get(row.resource_id) ?? {}));
      if (rows.length < size) return;
      const last = rows[rows.length - 1]!;
      afterStart = last.start_ns;
      afterSpan = last.span_id;
    }
  }

  async listSessions(
    projectId: string,
    query: ListSessionsQuery,
    now = Date.now(),
  ): Promise<ListSessionsPage> {
    const resolved = resolveListQuery(query, now, this.timeoutMs);
    const projectKey = await this.projectKey(projectId);
    if (projectKey === undefined) return { sessions: [], next_cursor: null };
    const params: unknown[] = [projectKey];
    const where = ["project_pk = $1"];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const scoreJoin = resolved.score && PostgresScores.listJoin(projectKey, resolved.score, param);
    if (scoreJoin) where.push(...scoreJoin.where);
    if (resolved.cursor) {
      where.push(
        `(start_ms, trace_id) < (${param(resolved.cursor.startMs)}::bigint, ${param(traceIdToUuid(resolved.cursor.traceId))}::uuid)`,
      );
    }
    if (resolved.fromMs !== null) where.push(`start_ms >= ${param(resolved.fromMs)}::bigint`);
    if (resolved.toMs !== null) where.push(`start_ms < ${param(resolved.toMs)}::bigint`);
    if (resolved.tag !== null) where.push(`tags ? ${param(resolved.tag)}::text`);
    if (resolved.endState === "running") {
      where.push(
        `end_state IS NULL AND last_seen_ms >= ${param(resolved.timedOutBeforeMs)}::bigint`,
      );
    } else if (resolved.endState === "Indeterminate") {
      where.push(
        `(end_state = 'Indeterminate' OR (end_state IS NULL AND last_seen_ms < ${param(resolved.timedOutBeforeMs)}::bigint))`,
      );
    } else if (resolved.endState !== null) {
      where.push(`end_state = ${param(resolved.endState)}::text`);
    }
    const { rows } = await this.pool.query<SessionDbRow & { score?: number }>(
      `SELECT ${SESSION_COLUMNS}${scoreJoin ? ", score" : ""} FROM sessions ${scoreJoin?.join ?? ""}
       WHERE ${where.join(" AND ")}
       ${scoreJoin?.order ?? "ORDER BY start_ms DESC, trace_id DESC"} LIMIT ${param(resolved.limit + 1)}`,
      params,
    );
    const shown = rows.slice(0, resolved.limit);
    const page = shown.map(toRow);
    const scores = await this.scores.latestOf(projectKey, page.map((row) => row.traceId));
    const last = page[page.length - 1];
    let nextCursor: string | null = null;
    if (rows.length > resolved.limit && last) {
      nextCursor =
        resolved.score !== null && resolved.score.order !== null
          ? encodeScoreCursor({ score: shown[shown.length - 1]!.score!, traceId: last.traceId })
          : encodeCursor(last);
    }
    return {
      sessions: page.map((row) =>
        toSessionStats(row, projectId, now, this.timeoutMs, scores.get(row.traceId) ?? {}),
      ),
      next_cursor: nextCursor,
    };
  }

  async usage(projectId: string, query: UsageQuery): Promise<UsageRow[]> {
    const resolved = resolveUsageQuery(query);
    const projectKey = await this.projectKey(projectId);
    if (projectKey === undefined) return [];
    const params: unknown[] = [projectKey];
    const where = ["project_pk = $1", "kind = 'llm'"];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (resolved.fromNs !== null)
      where.push(`start_ns >= ${param(resolved.fromNs.toString())}::bigint`);
    if (resolved.toNs !== null) where.push(`start_ns < ${param(resolved.toNs.toString())}::bigint`);
    if (resolved.tag !== null) {
      where.push(`EXISTS (SELECT 1 FROM sessions
        WHERE sessions.project_pk = spans.project_pk AND sessions.trace_id = spans.trace_id
          AND sessions.tags ? ${param(resolved.tag)}::text)`);
    }
    // One group per (UTC day of the start, model); NULL models first and bytewise order, as in SQLite.
    const { rows } = await this.pool.query<UsageDbRow>(
      `SELECT start_ns / ${NS_PER_DAY} AS day, model, count(*) AS llm_calls,
         sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
         sum(cached_tokens) AS cached_tokens, sum(reasoning_tokens) AS reasoning_tokens,
         least(sum(cost_pico), ${MAX_SESSION_COST_PICO}) AS cost_pico
       FROM spans WHERE ${where.join(" AND ")}
       GROUP BY 1, 2 ORDER BY 1, model COLLATE "C" NULLS FIRST`,
      params,
    );
    return rows.map(toUsageRow);
  }

  async addScore(projectId: string, sessionId: string, score: NewScore): Promise<AddScoreResult> {
    const projectKey = await this.projectKey(projectId);
    if (projectKey === undefined) throw new UnknownProjectError(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (traceId === undefined) throw new Error(`not a session id: ${JSON.stringify(sessionId)}`);
    return this.scores.add(projectKey, traceId, score);
  }

  async sessionScores(projectId: string, sessionId: string): Promise<SessionScore[]> {
    const projectKey = await this.projectKey(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (projectKey === undefined || traceId === undefined) return [];
    return this.scores.all(projectKey, traceId);
  }

  async createProject(name: string, keyLookup: string, keyHash: string): Promise<Project> {
    const project: Project = { id: randomUUID(), name, createdAt: new Date().toISOString() };
    await this.transaction(async (client) => {
      const { rows } = await client.query<{ pk: number }>(
        "INSERT INTO projects (id, name, created_at) VALUES ($1, $2, $3) RETURNING pk",
        [project.id, project.name, project.createdAt],
      );
      await client.query(
        "INSERT INTO api_keys (lookup, project_pk, key_hash, created_at) VALUES ($1, $2, $3, $4)",
        [keyLookup, rows[0]!.pk, keyHash, project.createdAt],
      );
    });
    return project;
  }

  async findKey(keyLookup: string): Promise<{ projectId: string; keyHash: string } | undefined> {
    const { rows } = await this.pool.query<{ project_id: string; key_hash: string }>(
      "SELECT p.id AS project_id, k.key_hash FROM api_keys k JOIN projects p ON p.pk = k.project_pk WHERE k.lookup = $1",
      [keyLookup],
    );
    return rows[0] && { projectId: rows[0].project_id, keyHash: rows[0].key_hash };
  }

  async getProject(projectId: string): Promise<Project | undefined> {
    const { rows } = await this.pool.query<{ id: string; name: string; created_at: string | Date }>(
      "SELECT id, name, created_at FROM projects WHERE id = $1",
      [projectId],
    );
    const row = rows[0];
    return row && { id: row.id, name: row.name, createdAt: new Date(row.created_at).toISOString() };
  }

  async getSetting(name: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>(
      "SELECT value FROM settings WHERE name = $1",
      [name],
    );
    return rows[0]?.value;
  }

  async setSettingIfAbsent(name: string, value: string): Promise<string> {
    await this.pool.query(
      "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      [name, value],
    );
    return (await this.getSetting(name)) ?? value;
  }

  async putSetting(name: string, value: string): Promise<void> {
    await this.pool.query(
      "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
      [name, value],
    );
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private async sessionRow(
    projectId: string,
    sessionId: string,
  ): Promise<SessionDbRow | undefined> {
    const projectKey = await this.projectKey(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (projectKey === undefined || traceId === undefined) return undefined;
    const { rows } = await this.pool.query<SessionDbRow>({
      name: "agentops_session_row",
      text: `SELECT ${SESSION_COLUMNS} FROM sessions WHERE project_pk = $1 AND trace_id = $2`,
      values: [projectKey, traceIdToUuid(traceId)],
    });
    return rows[0];
  }

  /** The internal key of a project; cached, since a project's key never changes. */
  private async projectKey(projectId: string): Promise<number | undefined> {
    const cached = this.projectKeys.get(projectId);
    if (cached !== undefined) return cached;
    const { rows } = await this.pool.query<{ pk: number }>(
      "SELECT pk FROM projects WHERE id = $1",
      [projectId],
    );
    if (rows[0]) this.projectKeys.set(projectId, rows[0].pk);
    return rows[0]?.pk;
  }

  /** Runs `work` in a transaction on one connection, retrying it on deadlock or serialization failure. */
  private async transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query("BEGIN");
          await work(client);
          await client.query("COMMIT");
          return;
        } catch (error) {
          try {
            await client.query("ROLLBACK");
          } catch (rollbackError) {
            broken = rollbackError as Error;
            throw error;
          }
          const code = (error as { code?: string }).code;
          if (attempt >= MAX_ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw error;
        }
      }
    } finally {
      client.release(broken);
    }
  }
}

/** The 24 column arrays of INSERT_SPANS ($2..$25), in its column order. */
function spanArrays(spans: NormalizedSpan[], resourceIds: string[]) {
  const n = spans.length;
  const traceIds = new Array<string>(n);
  const spanIds = new Array<string>(n);
  const parents = new Array<string | null>(n);
  const names = new Array<string>(n);
  const kinds = new Array<string>(n);
  const starts = new Array<string>(n);
  const ends = new Array<string>(n);
  const statusCodes = new Array<number>(n);
  const statusMessages = new Array<string | null>(n);
  const attributes = new Array<string>(n);
  const events = new Array<string | null>(n);
  const models = new Array<string | null>(n);
  const providers = new Array<string | null>(n);
  const prompt = new Array<number>(n);
  const completion = new Array<number>(n);
  const cached = new Array<number>(n);
  const reasoning = new Array<number>(n);
  const costs = new Array<number>(n);
  const errors = new Array<boolean>(n);
  const tags = new Array<string | null>(n);
  const endStates = new Array<string | null>(n);
  const reasons = new Array<string | null>(n);
  const videos = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const span = spans[i]!;
    traceIds[i] = span.sessionId;
    spanIds[i] = span.spanId;
    parents[i] = span.parentSpanId;
    names[i] = span.name;
    kinds[i] = span.kind;
    starts[i] = span.startTimeUnixNano;
    ends[i] = span.endTimeUnixNano;
    statusCodes[i] = span.statusCode;
    statusMessages[i] = span.statusMessage;
    attributes[i] = JSON.stringify(span.attributes);
    events[i] = span.events.length === 0 ? null : JSON.stringify(span.events);
    models[i] = span.model;
    providers[i] = span.provider;
    prompt[i] = span.promptTokens;
    completion[i] = span.completionTokens;
    cached[i] = span.cachedTokens;
    reasoning[i] = span.reasoningTokens;
    costs[i] = toPicoUsd(span.cost);
    errors[i] = span.isError;
    tags[i] = span.tags === null ? null : JSON.stringify(span.tags);
    endStates[i] = span.endState;
    reasons[i] = span.endStateReason;
    videos[i] = span.video;
  }
  return [
    traceIds,
    spanIds,
    parents,
    names,
    kinds,
    starts,
    ends,
    statusCodes,
    statusMessages,
    attributes,
    events,
    resourceIds,
    models,
    providers,
    prompt,
    completion,
    cached,
    reasoning,
    costs,
    errors,
    tags,
    endStates,
    reasons,
    videos,
  ] as const;
}

/** The 23 column arrays of UPSERT_SESSIONS ($2..$24). */
function sessionArrays(deltas: SessionDelta[]): unknown[][] {
  const pick = <T>(field: (delta: SessionDelta) => T) => deltas.map(field);
  return [
    pick((d) => d.sessionId),
    pick((d) => d.startMs),
    pick((d) => d.endMs),
    pick((d) => d.lastSeenMs),
    pick((d) => d.spans),
    pick((d) => d.llmCalls),
    pick((d) => d.toolCalls),
    pick((d) => d.actions),
    pick((d) => d.errors),
    pick((d) => d.promptTokens),
    pick((d) => d.completionTokens),
    pick((d) => d.cachedTokens),
    pick((d) => d.reasoningTokens),
    pick((d) => d.costPico),
    pick((d) => d.endState),
    pick((d) => d.endStateReason),
    pick((d) => d.endStateKey),
    pick((d) => (d.tags === null ? null : JSON.stringify(d.tags))),
    pick((d) => d.tagsKey),
    pick((d) => d.video),
    pick((d) => d.videoKey),
    pick((d) => d.hostResourceId),
    pick((d) => d.hostKey),
  ];
}

function toRow(row: SessionDbRow): SessionRow {
  return {
    traceId: row.trace_id.replace(/-/g, ""),
    startMs: Number(row.start_ms),
    endMs: Number(row.end_ms),
    lastSeenMs: Number(row.last_seen_ms),
    llmCalls: Number(row.llm_calls),
    toolCalls: Number(row.tool_calls),
    actions: Number(row.actions),
    errors: Number(row.errors),
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    cachedTokens: Number(row.cached_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
    costPico: Number(row.cost_pico),
    endState: row.end_state as EndState | null,
    endStateReason: row.end_state_reason,
    tags: row.tags,
    video: row.video,
  };
}
