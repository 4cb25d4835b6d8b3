import { uuidToTraceId } from "@agentops/semconv";
import { UnknownProjectError } from "../errors";
import { pendingMigrations } from "../migration";
import { KnownResources, ResourceIds } from "../resource-id";
import {
  DEFAULT_SESSION_TIMEOUT_MS,
  encodeCursor,
  encodeScoreCursor,
  resolveListQuery,
  toSessionInfo,
  toSessionStats,
} from "../session-view";
import { parseClickHouseUrl, type ClickHouseTarget } from "../url";
import { NS_PER_DAY, resolveUsageQuery, toUsageRow } from "../usage-view";
import type {
  AddScoreResult,
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
} from "../types";
import { ClickHouseConnection, ClickHouseError } from "./connection";
import { ClickHouseProjects } from "./projects";
import { ClickHouseScores, valueOfBits } from "./scores";
import { ClickHouseSettings } from "./settings";
import { CLICKHOUSE_MIGRATIONS, migrationsTable, table } from "./schema";
import {
  allRows,
  countedOnce,
  finalSpans,
  firstArrivals,
  saturatedCostSum,
  sessionAggregates,
  toSessionRow,
  type SessionAggregateRow,
} from "./session-sql";
import { SPAN_SELECT, spanInsertRow, storedSpanOf, type ClickHouseSpanRow } from "./span-rows";
import { identifier, joinSql, raw, sql, type Sql } from "./sql";

/** Options of {@link ClickHouseStorage}. */
export interface ClickHouseStorageOptions {
  /** A session with no end state and no span for this long reads as Indeterminate "timed out". Default 30 min. */
  sessionTimeoutMs?: number;
  /** HTTP connections to ClickHouse. Default 10. */
  maxConnections?: number;
}

/** A row of the usage query. */
interface UsageSums {
  day: string;
  model: string | null;
  u_calls: string;
  u_prompt: string;
  u_completion: string;
  u_cached: string;
  u_reasoning: string;
  u_cost: string;
}

/** Concurrent DDL on one name can fail while another server creates it; such a migration is retried. */
const MIGRATION_ATTEMPTS = 5;

/**
 * The ClickHouse store (`@clickhouse/client` over HTTP). Spans go into one ReplacingMergeTree
 * table, one insert per batch; a redelivered span is the same key and collapses on read.
 * Nothing else is written at ingest: sessions, their stats and the session list are aggregated
 * from the spans when read, each span once (`LIMIT 1 BY` span id for one session, `FINAL` for a
 * whole project), so any number of servers can write one
 * session at once and every reader sees exact totals, never a span counted twice.
 *
 * @example
 * const storage = new ClickHouseStorage("clickhouse://agentops:secret@127.0.0.1:8123/agentops");
 * await storage.migrate();
 */
export class ClickHouseStorage implements Storage {
  private readonly connection: ClickHouseConnection;
  private readonly db: Sql;
  private readonly spans: Sql;
  private readonly resources: Sql;
  private readonly target: ClickHouseTarget;
  private readonly timeoutMs: number;
  private readonly projects: ClickHouseProjects;
  private readonly settings: ClickHouseSettings;
  private readonly scores: ClickHouseScores;
  private readonly knownProjects = new Set<string>();
  private readonly knownResources = new KnownResources();

  constructor(url: string, options: ClickHouseStorageOptions = {}) {
    this.target = parseClickHouseUrl(url);
    this.connection = new ClickHouseConnection(this.target, { maxConnections: options.maxConnections });
    this.db = identifier(this.target.database);
    this.spans = table(this.db, "spans");
    this.resources = table(this.db, "resources");
    this.timeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.projects = new ClickHouseProjects(this.connection, this.db);
    this.settings = new ClickHouseSettings(this.connection, this.db);
    this.scores = new ClickHouseScores(this.connection, this.db);
  }

  async migrate(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.migrateOnce();
        return;
      } catch (error) {
        // Racing servers: a table "is being created" by another one. Statements are idempotent.
        if (!(error instanceof ClickHouseError) || error.code === undefined || attempt >= MIGRATION_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  private async migrateOnce(): Promise<void> {
    await this.connection.command(sql`CREATE DATABASE IF NOT EXISTS ${this.db}`);
    await this.connection.command(migrationsTable(this.db));
    const applied = await this.connection.rows<{ version: number }>(
      sql`SELECT DISTINCT version FROM ${table(this.db, "schema_migrations")}`,
    );
    for (const migration of pendingMigrations(CLICKHOUSE_MIGRATIONS, new Set(applied.map((row) => row.version)))) {
      for (const statement of migration.statements(this.db)) await this.connection.command(statement);
      await this.connection.insert(table(this.db, "schema_migrations"), [
        { version: migration.version, name: migration.name },
      ]);
    }
  }

  async ingest(projectId: string, spans: NormalizedSpan[]): Promise<IngestResult> {
    if (!(await this.projectExists(projectId))) throw new UnknownProjectError(projectId);
    if (spans.length === 0) return { accepted: 0 };
    // One row per (trace, span) in the batch; the first of duplicates wins, as in the other stores.
    const unique = new Map<string, NormalizedSpan>();
    for (const span of spans) {
      const key = span.traceId + span.spanId;
      if (!unique.has(key)) unique.set(key, span);
    }
    const receivedMs = Date.now();
    const resources = new ResourceIds();
    const rows = [];
    for (const span of unique.values()) {
      rows.push(spanInsertRow(span, projectId, resources.get(span.resource).id, receivedMs));
    }
    // Resources first: a span stored is never without its resource (an orphan resource is harmless).
    const fresh = [...resources.values()].filter((resource) => !this.knownResources.has(projectId, resource.id));
    await this.connection.insert(
      this.resources,
      fresh.map((resource) => ({ project_id: projectId, id: resource.id, attributes: resource.json })),
    );
    await this.connection.insert(this.spans, rows);
    for (const resource of fresh) this.knownResources.add(projectId, resource.id);
    return { accepted: spans.length };
  }

  async sessionStats(projectId: string, sessionId: string, now = Date.now()): Promise<SessionStats | undefined> {
    const row = await this.sessionRow(projectId, sessionId);
    if (row === undefined) return undefined;
    const scores = await this.scores.latest(projectId, row.trace_id);
    return toSessionStats(toSessionRow(row), projectId, now, this.timeoutMs, scores);
  }

  async recomputeStats(projectId: string, sessionId: string, now = Date.now()): Promise<SessionStats | undefined> {
    const traceId = uuidToTraceId(sessionId);
    if (traceId === undefined) return undefined;
    const rows = await this.connection.rows<SessionAggregateRow>(
      sessionAggregates(finalSpans(this.spans, projectId, traceId)),
    );
    if (rows[0] === undefined) return undefined;
    const scores = await this.scores.recomputeLatest(projectId, traceId);
    return toSessionStats(toSessionRow(rows[0]), projectId, now, this.timeoutMs, scores);
  }

  async sessionInfo(projectId: string, sessionId: string, now = Date.now()): Promise<SessionInfo | undefined> {
    const row = await this.sessionRow(projectId, sessionId);
    if (row === undefined) return undefined;
    const found = await this.resourcesOf(projectId, [row.s_host_resource_id]);
    const hostEnv = found.get(row.s_host_resource_id) ?? null;
    return toSessionInfo(toSessionRow(row), projectId, hostEnv, now, this.timeoutMs);
  }

  async *sessionSpans(projectId: string, sessionId: string, batchSize = 1000): AsyncIterable<StoredSpan[]> {
    const traceId = uuidToTraceId(sessionId);
    if (traceId === undefined) return;
    const size = Math.max(1, Math.min(10_000, Math.trunc(batchSize) || 1000));
    const resources = new Map<string, Record<string, unknown>>();
    // One query, streamed: the spans table is keyed by span id, not time, so every read in start
    // order sorts the whole session; paging by start would sort it again for every page.
    const rows = this.connection.pages<ClickHouseSpanRow>(
      sql`SELECT ${raw(SPAN_SELECT)} FROM ${firstArrivals(this.spans, projectId, traceId)} ORDER BY start_ns, span_id`,
      size,
    );
    for await (const page of rows) {
      const missing = [...new Set(page.map((row) => row.resource_id))].filter((id) => !resources.has(id));
      if (missing.length > 0) {
        if (resources.size + missing.length > 1000) resources.clear();
        const found = await this.resourcesOf(projectId, missing);
        for (const id of missing) resources.set(id, found.get(id) ?? {});
      }
      yield page.map((row) => storedSpanOf(row, projectId, resources.get(row.resource_id) ?? {}));
    }
  }

  async listSessions(projectId: string, query: ListSessionsQuery, now = Date.now()): Promise<ListSessionsPage> {
    const resolved = resolveListQuery(query, now, this.timeoutMs);
    const where: Sql[] = [raw("1")];
    const scoreJoin = resolved.score && this.scores.listJoin(projectId, resolved.score);
    if (scoreJoin) where.push(...scoreJoin.where);
    if (resolved.cursor) {
      const { startMs, traceId } = resolved.cursor;
      where.push(sql`(s_start_ms < ${startMs} OR (s_start_ms = ${startMs} AND trace_id < ${traceId}))`);
    }
    if (resolved.fromMs !== null) where.push(sql`s_start_ms >= ${resolved.fromMs}`);
    if (resolved.toMs !== null) where.push(sql`s_start_ms < ${resolved.toMs}`);
    if (resolved.tag !== null) where.push(sql`s_tags_key != '' AND has(s_tags, ${resolved.tag})`);
    const timedOutBefore = resolved.timedOutBeforeMs;
    if (resolved.endState === "running") {
      where.push(sql`s_end_state_key = '' AND s_last_seen_ms >= ${timedOutBefore}`);
    } else if (resolved.endState === "Indeterminate") {
      where.push(
        sql`((s_end_state_key != '' AND s_end_state = 'Indeterminate') OR (s_end_state_key = '' AND s_last_seen_ms < ${timedOutBefore}))`,
      );
    } else if (resolved.endState !== null) {
      where.push(sql`s_end_state_key != '' AND s_end_state = ${resolved.endState}`);
    }
    const sessions = sql`(${sessionAggregates(finalSpans(this.spans, projectId))})`;
    const rows = await this.connection.rows<SessionAggregateRow & { l_bits?: string }>(
      sql`SELECT * FROM ${sessions} ${scoreJoin ? sql`ANY INNER JOIN ${scoreJoin.source} USING trace_id` : raw("")}
        WHERE ${joinSql(where, " AND ")}
        ${scoreJoin?.order ?? raw("ORDER BY s_start_ms DESC, trace_id DESC")} LIMIT ${resolved.limit + 1}`,
    );
    const shown = rows.slice(0, resolved.limit);
    const page = shown.map(toSessionRow);
    const scores = await this.scores.latestOf(projectId, page.map((row) => row.traceId));
    const last = page[page.length - 1];
    let nextCursor: string | null = null;
    if (rows.length > resolved.limit && last) {
      const lastBits = shown[shown.length - 1]!.l_bits;
      nextCursor =
        resolved.score !== null && resolved.score.order !== null && lastBits !== undefined
          ? encodeScoreCursor({ score: valueOfBits(lastBits), traceId: last.traceId })
          : encodeCursor(last);
    }
    return {
      sessions: page.map((row) => toSessionStats(row, projectId, now, this.timeoutMs, scores.get(row.traceId) ?? {})),
      next_cursor: nextCursor,
    };
  }

  async usage(projectId: string, query: UsageQuery): Promise<UsageRow[]> {
    const resolved = resolveUsageQuery(query);
    const where: Sql[] = [raw("kind = 'llm'")];
    // start_ns is unsigned: a bound before 1970 selects what 0 selects.
    if (resolved.fromNs !== null) where.push(sql`start_ns >= ${resolved.fromNs < 0n ? 0n : resolved.fromNs}`);
    if (resolved.toNs !== null) where.push(sql`start_ns < ${resolved.toNs < 0n ? 0n : resolved.toNs}`);
    if (resolved.tag !== null) {
      where.push(sql`trace_id IN (SELECT trace_id FROM (${sessionAggregates(finalSpans(this.spans, projectId))})
        WHERE s_tags_key != '' AND has(s_tags, ${resolved.tag}))`);
    }
    // One group per (UTC day of the start, model); a call without a model first, bytewise order.
    // Aliases are not column names: ClickHouse 18.16 would read `cost_pico` inside the sum as the alias.
    const rows = await this.connection.rows<UsageSums>(
      sql`SELECT intDiv(start_ns, ${raw(NS_PER_DAY)}) AS day, model, count() AS u_calls,
          sum(prompt_tokens) AS u_prompt, sum(completion_tokens) AS u_completion,
          sum(cached_tokens) AS u_cached, sum(reasoning_tokens) AS u_reasoning,
          ${saturatedCostSum("cost_pico")} AS u_cost
        FROM ${finalSpans(this.spans, projectId)} AND ${joinSql(where, " AND ")}
        GROUP BY day, model ORDER BY day, isNotNull(model), model`,
    );
    return rows.map((row) =>
      toUsageRow({
        day: row.day,
        model: row.model,
        llm_calls: row.u_calls,
        prompt_tokens: row.u_prompt,
        completion_tokens: row.u_completion,
        cached_tokens: row.u_cached,
        reasoning_tokens: row.u_reasoning,
        cost_pico: row.u_cost,
      }),
    );
  }

  createProject(name: string, keyLookup: string, keyHash: string): Promise<Project> {
    return this.projects.create(name, keyLookup, keyHash);
  }

  findKey(keyLookup: string): Promise<{ projectId: string; keyHash: string } | undefined> {
    return this.projects.findKey(keyLookup);
  }

  getProject(projectId: string): Promise<Project | undefined> {
    return this.projects.get(projectId);
  }

  async addScore(projectId: string, sessionId: string, score: NewScore): Promise<AddScoreResult> {
    if (!(await this.projectExists(projectId))) throw new UnknownProjectError(projectId);
    const traceId = uuidToTraceId(sessionId);
    if (traceId === undefined) throw new Error(`not a session id: ${JSON.stringify(sessionId)}`);
    return this.scores.add(projectId, traceId, score);
  }

  async sessionScores(projectId: string, sessionId: string): Promise<SessionScore[]> {
    const traceId = uuidToTraceId(sessionId);
    if (traceId === undefined) return [];
    return this.scores.all(projectId, traceId);
  }

  getSetting(name: string): Promise<string | undefined> {
    return this.settings.get(name);
  }

  setSettingIfAbsent(name: string, value: string): Promise<string> {
    return this.settings.setIfAbsent(name, value);
  }

  putSetting(name: string, value: string): Promise<void> {
    return this.settings.put(name, value);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private async sessionRow(projectId: string, sessionId: string): Promise<SessionAggregateRow | undefined> {
    const traceId = uuidToTraceId(sessionId);
    if (traceId === undefined) return undefined;
    const [fast] = await this.connection.rows<SessionAggregateRow>(
      sessionAggregates(allRows(this.spans, projectId, traceId)),
    );
    if (fast === undefined || countedOnce(fast)) return fast;
    const [deduplicated] = await this.connection.rows<SessionAggregateRow>(
      sessionAggregates(firstArrivals(this.spans, projectId, traceId)),
    );
    return deduplicated;
  }

  private async resourcesOf(projectId: string, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
    const rows = await this.connection.rows<{ id: string; attributes: string }>(
      sql`SELECT id, attributes FROM ${this.resources} FINAL
        WHERE project_id = ${projectId} AND id IN (${joinSql(ids.map((id) => sql`${id}`), ", ")})`,
    );
    return new Map(rows.map((row) => [row.id, JSON.parse(row.attributes) as Record<string, unknown>]));
  }

  /** Whether a project exists; remembered once seen, since projects are never deleted. */
  private async projectExists(projectId: string): Promise<boolean> {
    if (this.knownProjects.has(projectId)) return true;
    if ((await this.projects.get(projectId)) === undefined) return false;
    this.knownProjects.add(projectId);
    return true;
  }
}
