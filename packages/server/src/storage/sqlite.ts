import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { uuidToTraceId } from "@agentops/semconv";
import { UnknownProjectError } from "./errors";
import { SqliteScores } from "./sqlite-scores";
import { KnownResources, ResourceIds, type StoredResource } from "./resource-id";
import { MAX_SESSION_COST_PICO, RollupBatch, toPicoUsd } from "./rollup";
import {
  DEFAULT_SESSION_TIMEOUT_MS,
  encodeCursor,
  encodeScoreCursor,
  resolveListQuery,
  toSessionInfo,
  toSessionStats,
  type SessionRow,
} from "./session-view";
import { pendingMigrations, type Migration } from "./migration";
import { NS_PER_DAY, resolveUsageQuery, toUsageRow, type UsageDbRow } from "./usage-view";
import { SQLITE_MIGRATIONS } from "./sqlite-migrations";
import { spanColumns, toStoredSpan, type SpanRow } from "./span-row";
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

/** Options of {@link SqliteStorage}. */
export interface SqliteStorageOptions {
  /** A session with no end state and no span for this long reads as Indeterminate "timed out". Default 30 min. */
  sessionTimeoutMs?: number;
  /** How long a writer waits for another process's write lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

interface SessionDbRow {
  trace_id: string;
  start_ms: number;
  end_ms: number;
  last_seen_ms: number;
  llm_calls: number;
  tool_calls: number;
  actions: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost_pico: number;
  end_state: string | null;
  end_state_reason: string | null;
  tags: string | null;
  video: string | null;
  host_resource_id: string | null;
}

const SESSION_COLUMNS =
  "trace_id, start_ms, end_ms, last_seen_ms, llm_calls, tool_calls, actions, errors, prompt_tokens, " +
  "completion_tokens, cached_tokens, reasoning_tokens, cost_pico, end_state, end_state_reason, tags, video, host_resource_id";

const INSERT_SPAN = `
INSERT INTO spans (project_pk, trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, status_code,
  status_message, attributes, events, resource_id, model, provider, prompt_tokens, completion_tokens, cached_tokens,
  reasoning_tokens, cost_pico, is_error, tags, end_state, end_state_reason, video, received_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (project_pk, trace_id, span_id) DO NOTHING`;

// Every update commutes (see SessionDelta): sums, min/max, and "greater key wins" for metadata.
// In DO UPDATE, bare column names are the stored row's values, `excluded.` the delta's.
const UPSERT_SESSION = `
INSERT INTO sessions (project_pk, trace_id, start_ms, end_ms, last_seen_ms, spans, llm_calls, tool_calls, actions,
  errors, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_pico, end_state, end_state_reason,
  end_state_key, tags, tags_key, video, video_key, host_resource_id, host_key)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (project_pk, trace_id) DO UPDATE SET
  start_ms = min(start_ms, excluded.start_ms),
  end_ms = max(end_ms, excluded.end_ms),
  last_seen_ms = max(last_seen_ms, excluded.last_seen_ms),
  spans = spans + excluded.spans,
  llm_calls = llm_calls + excluded.llm_calls,
  tool_calls = tool_calls + excluded.tool_calls,
  actions = actions + excluded.actions,
  errors = errors + excluded.errors,
  prompt_tokens = prompt_tokens + excluded.prompt_tokens,
  completion_tokens = completion_tokens + excluded.completion_tokens,
  cached_tokens = cached_tokens + excluded.cached_tokens,
  reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
  cost_pico = min(cost_pico + excluded.cost_pico, ${MAX_SESSION_COST_PICO}),
  end_state = CASE WHEN excluded.end_state_key > coalesce(end_state_key, '') THEN excluded.end_state ELSE end_state END,
  end_state_reason = CASE WHEN excluded.end_state_key > coalesce(end_state_key, '')
    THEN excluded.end_state_reason ELSE end_state_reason END,
  end_state_key = CASE WHEN excluded.end_state_key > coalesce(end_state_key, '') THEN excluded.end_state_key ELSE end_state_key END,
  tags = CASE WHEN excluded.tags_key > coalesce(tags_key, '') THEN excluded.tags ELSE tags END,
  tags_key = CASE WHEN excluded.tags_key > coalesce(tags_key, '') THEN excluded.tags_key ELSE tags_key END,
  video = CASE WHEN excluded.video_key > coalesce(video_key, '') THEN excluded.video ELSE video END,
  video_key = CASE WHEN excluded.video_key > coalesce(video_key, '') THEN excluded.video_key ELSE video_key END,
  host_resource_id = CASE WHEN excluded.host_key < coalesce(host_key, '~') THEN excluded.host_resource_id ELSE host_resource_id END,
  host_key = CASE WHEN excluded.host_key < coalesce(host_key, '~') THEN excluded.host_key ELSE host_key END`;

// The cost saturates as the rollup does (sum() fails past 64 bits: see recomputeTotals).
const RECOMPUTE_TOTALS = (cost: string) => `
SELECT count(*) AS spans,
  min(start_ns) / 1000000 AS start_ms,
  max(end_ns) / 1000000 AS end_ms,
  max(received_ms) AS last_seen_ms,
  coalesce(sum(kind = 'llm'), 0) AS llm_calls,
  coalesce(sum(kind = 'tool'), 0) AS tool_calls,
  coalesce(sum(kind IN ('action', 'agent')), 0) AS actions,
  coalesce(sum(is_error), 0) AS errors,
  coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
  coalesce(sum(completion_tokens), 0) AS completion_tokens,
  coalesce(sum(cached_tokens), 0) AS cached_tokens,
  coalesce(sum(reasoning_tokens), 0) AS reasoning_tokens,
  ${cost} AS cost_pico
FROM spans WHERE project_pk = ? AND trace_id = ?`;
const RECOMPUTE_COST = `min(coalesce(sum(cost_pico), 0), ${MAX_SESSION_COST_PICO})`;

// The same winners as the rollup keys in rollup.ts, found by sorting the stored spans.
const RECOMPUTE_END_STATE = `
SELECT end_state, end_state_reason FROM spans
WHERE project_pk = ? AND trace_id = ? AND end_state IS NOT NULL AND kind IN ('session', 'marker')
ORDER BY kind = 'session' DESC, end_ns DESC, span_id DESC LIMIT 1`;
const RECOMPUTE_TAGS = `
SELECT tags FROM spans
WHERE project_pk = ? AND trace_id = ? AND tags IS NOT NULL AND kind IN ('session', 'marker')
ORDER BY end_ns DESC, kind = 'session' DESC, span_id DESC LIMIT 1`;
const RECOMPUTE_VIDEO = `
SELECT video FROM spans
WHERE project_pk = ? AND trace_id = ? AND video IS NOT NULL AND kind IN ('session', 'marker')
ORDER BY end_ns DESC, kind = 'session' DESC, span_id DESC LIMIT 1`;

// One group per (UTC day of the start, model); NULL models sort first, as in PostgreSQL's query.
const USAGE = (where: string[], cost: string) => `
SELECT start_ns / ${NS_PER_DAY} AS day, model, count(*) AS llm_calls,
  sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
  sum(cached_tokens) AS cached_tokens, sum(reasoning_tokens) AS reasoning_tokens,
  ${cost} AS cost_pico
FROM spans WHERE ${where.join(" AND ")}
GROUP BY day, model ORDER BY day, model`;
const USAGE_COST = `min(sum(cost_pico), ${MAX_SESSION_COST_PICO})`;
const USAGE_COST_SATURATED = `min(total(cost_pico), ${MAX_SESSION_COST_PICO})`;

const SPAN_PAGE = `
SELECT ${spanColumns((column) => `CAST(${column} AS TEXT)`)} FROM spans
WHERE project_pk = ? AND trace_id = ? AND (start_ns, span_id) > (?, ?)
ORDER BY start_ns, span_id LIMIT ?`;

/**
 * The SQLite store (better-sqlite3, WAL, synchronous=NORMAL): one file, one process or a few
 * sharing it. Each ingest is one `BEGIN IMMEDIATE` transaction; better-sqlite3 is synchronous, so
 * the returned promise resolves after the commit.
 *
 * @example
 * const storage = new SqliteStorage("./.agentops/agentops.db");
 * await storage.migrate();
 */
export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly timeoutMs: number;
  private readonly projectKeys = new Map<string, number>();
  private readonly knownResources = new KnownResources();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly scores: SqliteScores;
  private readonly ingestTransaction: (
    projectKey: number,
    spans: NormalizedSpan[],
    batch: RollupBatch,
  ) => StoredResource[];

  constructor(path: string, options: SqliteStorageOptions = {}) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    this.db.pragma("foreign_keys = ON");
    this.timeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.ingestTransaction = this.db.transaction((projectKey, spans, batch) =>
      this.writeBatch(projectKey, spans, batch),
    ).immediate;
    this.scores = new SqliteScores(this.db, (sql) => this.statement(sql));
  }

  async migrate(): Promise<void> {
    applyMigrations(this.db, SQLITE_MIGRATIONS);
    this.statements.clear();
  }

  async ingest(projectId: string, spans: NormalizedSpan[]): Promise<IngestResult> {
    const projectKey = this.projectKey(projectId);
    if (projectKey === undefined) throw new UnknownProjectError(projectId);
    if (spans.length === 0) return { accepted: 0 };
    const batch = new RollupBatch(Date.now());
    const written = this.ingestTransaction(projectKey, spans, batch);
    for (const resource of written) this.knownResources.add(projectKey, resource.id);
    return { accepted: spans.length };
  }

  private writeBatch(
    projectKey: number,
    spans: NormalizedSpan[],
    batch: RollupBatch,
  ): StoredResource[] {
    const insertSpan = this.statement(INSERT_SPAN);
    const insertResource = this.statement(
      "INSERT INTO resources (project_pk, id, attributes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    );
    const resources = new ResourceIds();
    const written: StoredResource[] = [];
    const writtenIds = new Set<string>();
    for (const span of spans) {
      const resource = resources.get(span.resource);
      if (!writtenIds.has(resource.id) && !this.knownResources.has(projectKey, resource.id)) {
        insertResource.run(projectKey, resource.id, resource.json);
        writtenIds.add(resource.id);
        written.push(resource);
      }
      const costPico = toPicoUsd(span.cost);
      const result = insertSpan.run(
        projectKey,
        span.traceId,
        span.spanId,
        span.parentSpanId,
        span.name,
        span.kind,
        BigInt(span.startTimeUnixNano),
        BigInt(span.endTimeUnixNano),
        span.statusCode,
        span.statusMessage,
        JSON.stringify(span.attributes),
        span.events.length === 0 ? null : JSON.stringify(span.events),
        resource.id,
        span.model,
        span.provider,
        span.promptTokens,
        span.completionTokens,
        span.cachedTokens,
        span.reasoningTokens,
        costPico,
        span.isError ? 1 : 0,
        span.tags === null ? null : JSON.stringify(span.tags),
        span.endState,
        span.endStateReason,
        span.video,
        batch.receivedMs,
      );
      if (result.changes > 0) batch.add(span, resource.id, costPico);
    }
    const upsertSession = this.statement(UPSERT_SESSION);
    for (const delta of batch.sorted()) {
      upsertSession.run(
        projectKey,
        delta.traceId,
        delta.startMs,
        delta.endMs,
        delta.lastSeenMs,
        delta.spans,
        delta.llmCalls,
        delta.toolCalls,
        delta.actions,
        delta.errors,
        delta.promptTokens,
        delta.completionTokens,
        delta.cachedTokens,
        delta.reasoningTokens,
        delta.costPico,
        delta.endState,
        delta.endStateReason,
        delta.endStateKey,
        delta.tags === null ? null : JSON.stringify(delta.tags),
        delta.tagsKey,
        delta.video,
        delta.videoKey,
        delta.hostResourceId,
        delta.hostKey,
      );
    }
    return written;
  }

  async sessionStats(
    projectId: string,
    sessionId: string,
    now = Date.now(),
  ): Promise<SessionStats | undefined> {
    const row = this.sessionRow(projectId, sessionId);
    if (row === undefined) return undefined;
    const scores = this.scores.latest(this.projectKey(projectId)!, row.trace_id);
    return toSessionStats(toRow(row), projectId, now, this.timeoutMs, scores);
  }

  async recomputeStats(
    projectId: string,
    sessionId: string,
    now = Date.now(),
  ): Promise<SessionStats | undefined> {
    const projectKey = this.projectKey(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (projectKey === undefined || traceId === undefined) return undefined;
    const totals = this.recomputeTotals(projectKey, traceId) as Omit<
      SessionDbRow,
      "trace_id" | "end_state" | "end_state_reason" | "tags" | "video" | "host_resource_id"
    > & { spans: number };
    if (totals.spans === 0) return undefined;
    const endState = this.statement(RECOMPUTE_END_STATE).get(projectKey, traceId) as
      | { end_state: string; end_state_reason: string | null }
      | undefined;
    const tags = this.statement(RECOMPUTE_TAGS).get(projectKey, traceId) as
      | { tags: string }
      | undefined;
    const video = this.statement(RECOMPUTE_VIDEO).get(projectKey, traceId) as
      | { video: string }
      | undefined;
    const row: SessionDbRow = {
      ...totals,
      trace_id: traceId,
      end_state: endState?.end_state ?? null,
      end_state_reason: endState?.end_state_reason ?? null,
      tags: tags?.tags ?? null,
      video: video?.video ?? null,
      host_resource_id: null,
    };
    const scores = this.scores.recomputeLatest(projectKey, traceId);
    return toSessionStats(toRow(row), projectId, now, this.timeoutMs, scores);
  }

  private recomputeTotals(projectKey: number, traceId: string): unknown {
    try {
      return this.statement(RECOMPUTE_TOTALS(RECOMPUTE_COST)).get(projectKey, traceId);
    } catch (error) {
      // The costs are non-negative: a sum past 64 bits is past the saturation point too.
      if (!/integer overflow/.test((error as Error).message)) throw error;
      return this.statement(RECOMPUTE_TOTALS(String(MAX_SESSION_COST_PICO))).get(projectKey, traceId);
    }
  }

  async sessionInfo(
    projectId: string,
    sessionId: string,
    now = Date.now(),
  ): Promise<SessionInfo | undefined> {
    const row = this.sessionRow(projectId, sessionId);
    if (row === undefined) return undefined;
    let hostEnv: Record<string, unknown> | null = null;
    if (row.host_resource_id !== null) {
      const resource = this.statement(
        "SELECT attributes FROM resources WHERE project_pk = ? AND id = ?",
      ).get(this.projectKey(projectId), row.host_resource_id) as { attributes: string } | undefined;
      if (resource) hostEnv = JSON.parse(resource.attributes) as Record<string, unknown>;
    }
    return toSessionInfo(toRow(row), projectId, hostEnv, now, this.timeoutMs);
  }

  async *sessionSpans(
    projectId: string,
    sessionId: string,
    batchSize = 1000,
  ): AsyncIterable<StoredSpan[]> {
    const projectKey = this.projectKey(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (projectKey === undefined || traceId === undefined) return;
    const size = Math.max(1, Math.min(10_000, Math.trunc(batchSize) || 1000));
    const page = this.statement(SPAN_PAGE);
    const resourceById = this.statement(
      "SELECT attributes FROM resources WHERE project_pk = ? AND id = ?",
    );
    const resources = new Map<string, Record<string, unknown>>();
    let afterStart = -1n;
    let afterSpan = "";
    for (;;) {
      const rows = page.all(projectKey, traceId, afterStart, afterSpan, size) as SpanRow[];
      if (rows.length === 0) return;
      const spans = rows.map((row) => {
        let resource = resources.get(row.resource_id);
        if (resource === undefined) {
          const found = resourceById.get(projectKey, row.resource_id) as
            | { attributes: string }
            | undefined;
          resource = found ? (JSON.parse(found.attributes) as Record<string, unknown>) : {};
          if (resources.size >= 1000) resources.clear();
          resources.set(row.resource_id, resource);
        }
        return toStoredSpan(row, projectId, resource);
      });
      yield spans;
      if (rows.length < size) return;
      const last = rows[rows.length - 1]!;
      afterStart = BigInt(last.start_ns);
      afterSpan = last.span_id;
    }
  }

  async listSessions(
    projectId: string,
    query: ListSessionsQuery,
    now = Date.now(),
  ): Promise<ListSessionsPage> {
    const resolved = resolveListQuery(query, now, this.timeoutMs);
    const projectKey = this.projectKey(projectId);
    if (projectKey === undefined) return { sessions: [], next_cursor: null };
    const where = ["project_pk = ?"];
    const params: unknown[] = [projectKey];
    const scoreJoin = resolved.score && SqliteScores.listJoin(projectKey, resolved.score);
    if (scoreJoin) {
      where.push(...scoreJoin.where);
      params.push(...scoreJoin.whereParams);
    }
    if (resolved.cursor) {
      where.push("(start_ms, trace_id) < (?, ?)");
      params.push(resolved.cursor.startMs, resolved.cursor.traceId);
    }
    if (resolved.fromMs !== null) {
      where.push("start_ms >= ?");
      params.push(resolved.fromMs);
    }
    if (resolved.toMs !== null) {
      where.push("start_ms < ?");
      params.push(resolved.toMs);
    }
    if (resolved.tag !== null) {
      where.push("EXISTS (SELECT 1 FROM json_each(sessions.tags) WHERE json_each.value = ?)");
      params.push(resolved.tag);
    }
    if (resolved.endState === "running") {
      where.push("end_state IS NULL AND last_seen_ms >= ?");
      params.push(resolved.timedOutBeforeMs);
    } else if (resolved.endState === "Indeterminate") {
      where.push("(end_state = 'Indeterminate' OR (end_state IS NULL AND last_seen_ms < ?))");
      params.push(resolved.timedOutBeforeMs);
    } else if (resolved.endState !== null) {
      where.push("end_state = ?");
      params.push(resolved.endState);
    }
    params.push(resolved.limit + 1);
    const sql = `SELECT ${SESSION_COLUMNS}${scoreJoin ? ", score" : ""} FROM sessions ${scoreJoin?.join ?? ""}
      WHERE ${where.join(" AND ")}
      ${scoreJoin?.order ?? "ORDER BY start_ms DESC, trace_id DESC"} LIMIT ?`;
    const rows = this.statement(sql).all(...(scoreJoin?.joinParams ?? []), ...params) as Array<
      SessionDbRow & { score?: number }
    >;
    const shown = rows.slice(0, resolved.limit);
    const scores = this.scores.latestOf(projectKey, shown.map((row) => row.trace_id));
    const last = shown[shown.length - 1];
    let nextCursor: string | null = null;
    if (rows.length > resolved.limit && last) {
      nextCursor =
        resolved.score !== null && resolved.score.order !== null
          ? encodeScoreCursor({ score: last.score!, traceId: last.trace_id })
          : encodeCursor(toRow(last));
    }
    return {
      sessions: shown.map((row) =>
        toSessionStats(toRow(row), projectId, now, this.timeoutMs, scores.get(row.trace_id) ?? {}),
      ),
      next_cursor: nextCursor,
    };
  }

  async usage(projectId: string, query: UsageQuery): Promise<UsageRow[]> {
    const resolved = resolveUsageQuery(query);
    const projectKey = this.projectKey(projectId);
    if (projectKey === undefined) return [];
    const where = ["project_pk = ?", "kind = 'llm'"];
    const params: unknown[] = [projectKey];
    if (resolved.fromNs !== null) {
      where.push("start_ns >= ?");
      params.push(resolved.fromNs);
    }
    if (resolved.toNs !== null) {
      where.push("start_ns < ?");
      params.push(resolved.toNs);
    }
    if (resolved.tag !== null) {
      where.push(`EXISTS (SELECT 1 FROM sessions, json_each(sessions.tags)
        WHERE sessions.project_pk = spans.project_pk AND sessions.trace_id = spans.trace_id
          AND json_each.value = ?)`);
      params.push(resolved.tag);
    }
    let rows: UsageDbRow[];
    try {
      rows = this.statement(USAGE(where, USAGE_COST)).all(...params) as UsageDbRow[];
    } catch (error) {
      // The costs are non-negative: a sum past 64 bits is past the saturation point too.
      if (!/integer overflow/.test((error as Error).message)) throw error;
      rows = this.statement(USAGE(where, USAGE_COST_SATURATED)).all(...params) as UsageDbRow[];
    }
    return rows.map(toUsageRow);
  }

  async addScore(projectId: string, sessionId: string, score: NewScore): Promise<AddScoreResult> {
    const projectKey = this.projectKey(projectId);
    if (projectKey === undefined) throw new UnknownProjectError(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (traceId === undefined) throw new Error(`not a session id: ${JSON.stringify(sessionId)}`);
    return this.scores.add(projectKey, traceId, score);
  }

  async sessionScores(projectId: string, sessionId: string): Promise<SessionScore[]> {
    const projectKey = this.projectKey(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (projectKey === undefined || traceId === undefined) return [];
    return this.scores.all(projectKey, traceId);
  }

  async createProject(name: string, keyLookup: string, keyHash: string): Promise<Project> {
    const project: Project = { id: randomUUID(), name, createdAt: new Date().toISOString() };
    this.db
      .transaction(() => {
        const { lastInsertRowid } = this.statement(
          "INSERT INTO projects (id, name, created_at) VALUES (?, ?, ?)",
        ).run(project.id, project.name, project.createdAt);
        this.statement(
          "INSERT INTO api_keys (lookup, project_pk, key_hash, created_at) VALUES (?, ?, ?, ?)",
        ).run(keyLookup, lastInsertRowid, keyHash, project.createdAt);
      })
      .immediate();
    return project;
  }

  async findKey(keyLookup: string): Promise<{ projectId: string; keyHash: string } | undefined> {
    const row = this.statement(
      "SELECT p.id AS project_id, k.key_hash FROM api_keys k JOIN projects p ON p.pk = k.project_pk WHERE k.lookup = ?",
    ).get(keyLookup) as { project_id: string; key_hash: string } | undefined;
    return row && { projectId: row.project_id, keyHash: row.key_hash };
  }

  async getProject(projectId: string): Promise<Project | undefined> {
    const row = this.statement("SELECT id, name, created_at FROM projects WHERE id = ?").get(projectId) as
      | { id: string; name: string; created_at: string }
      | undefined;
    return row && { id: row.id, name: row.name, createdAt: row.created_at };
  }

  async getSetting(name: string): Promise<string | undefined> {
    const row = this.statement("SELECT value FROM settings WHERE name = ?").get(name) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  async setSettingIfAbsent(name: string, value: string): Promise<string> {
    this.statement("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING").run(
      name,
      value,
    );
    return (await this.getSetting(name)) ?? value;
  }

  async putSetting(name: string, value: string): Promise<void> {
    this.statement(
      "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    ).run(name, value);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private sessionRow(projectId: string, sessionId: string): SessionDbRow | undefined {
    const projectKey = this.projectKey(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (projectKey === undefined || traceId === undefined) return undefined;
    return this.statement(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE project_pk = ? AND trace_id = ?`,
    ).get(projectKey, traceId) as SessionDbRow | undefined;
  }

  /** The internal key of a project; cached, since a project's key never changes. */
  private projectKey(projectId: string): number | undefined {
    const cached = this.projectKeys.get(projectId);
    if (cached !== undefined) return cached;
    const row = this.statement("SELECT pk FROM projects WHERE id = ?").get(projectId) as
      | { pk: number }
      | undefined;
    if (row) this.projectKeys.set(projectId, row.pk);
    return row?.pk;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (this.statements.size >= 200) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function toRow(row: SessionDbRow): SessionRow {
  return {
    traceId: row.trace_id,
    startMs: row.start_ms,
    endMs: row.end_ms,
    lastSeenMs: row.last_seen_ms,
    llmCalls: row.llm_calls,
    toolCalls: row.tool_calls,
    actions: row.actions,
    errors: row.errors,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    cachedTokens: row.cached_tokens,
    reasoningTokens: row.reasoning_tokens,
    costPico: row.cost_pico,
    endState: row.end_state as EndState | null,
    endStateReason: row.end_state_reason,
    tags: row.tags === null ? null : (JSON.parse(row.tags) as string[]),
    video: row.video,
  };
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order, in one `BEGIN
 * IMMEDIATE` transaction: a second process opening the same file waits, then finds them applied.
 */
function applyMigrations(db: Database.Database, migrations: readonly Migration[]): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const applied = new Set(
      (db.prepare("SELECT version FROM schema_migrations").all() as Array<{ version: number }>).map(
        (row) => row.version,
      ),
    );
    const record = db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
    );
    for (const migration of pendingMigrations(migrations, applied)) {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}
