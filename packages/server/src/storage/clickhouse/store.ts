import { uuidToTraceId } from "@agentops/semconv";
import { UnknownProjectError } from "../errors";
import { spoolHealthJson } from "../health";
import { pendingMigrations } from "../migration";
import { KnownResources, ResourceIds } from "../resource-id";
import { DEFAULT_SESSION_TIMEOUT_MS, toSessionInfo, toSessionStats } from "../session-view";
import { parseClickHouseUrl, type ClickHouseTarget } from "../url";
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
  StorageHealth,
  StorageLogger,
  StoredSpan,
  UsageQuery,
  UsageRow,
} from "../types";
import { ClickHouseConnection, ClickHouseError } from "./connection";
import { ClickHouseProjectReads } from "./project-reads";
import { ClickHouseProjects } from "./projects";
import { ClickHouseScores } from "./scores";
import { SessionAggregateCache } from "./session-cache";
import { RowBinaryWriter } from "./row-binary";
import { InsertSpool } from "./spool";
import { ClickHouseSettings } from "./settings";
import { CLICKHOUSE_MIGRATIONS, migrationsTable, table } from "./schema";
import {
  allRows,
  countedOnce,
  finalSpans,
  firstArrivals,
  sessionAggregates,
  toSessionRow,
  type SessionAggregateRow,
} from "./session-sql";
import { encodeSpanRows, SPAN_INSERT_COLUMNS, SPAN_SELECT, storedSpanOf, type ClickHouseSpanRow } from "./span-rows";
import { identifier, joinSql, raw, sql, type Sql } from "./sql";

/** Options of {@link ClickHouseStorage}. */
export interface ClickHouseStorageOptions {
  /** A session with no end state and no span for this long reads as Indeterminate "timed out". Default 30 min. */
  sessionTimeoutMs?: number;
  /** HTTP connections to ClickHouse, for statements and for span inserts each. Default 10. */
  maxConnections?: number;
  /**
   * A folder for a write-ahead spool: batches are acknowledged once written there (fdatasync'ed)
   * and reach ClickHouse as inserts of up to 65,536 spans (see spool.ts). One server per folder.
   * Default: none, each batch is inserted before it is acknowledged.
   */
  spoolDir?: string;
}

/** Memory set aside for a span's row before encoding (most are 300–600 bytes; more is grown into). */
const EXPECTED_ROW_BYTES = 640;

/** Concurrent DDL on one name can fail while another server creates it; such a migration is retried. */
const MIGRATION_ATTEMPTS = 5;

/**
 * The ClickHouse store (`@clickhouse/client` over HTTP). Spans go into one ReplacingMergeTree
 * table, one RowBinary insert per batch; a redelivered span is the same key and collapses on
 * read. Sessions, their stats and the session list are aggregated from the spans when read, each
 * span once (read as stored when the same statement finds no span id stored twice; else `LIMIT 1
 * BY` span id for one session, `FINAL` for a whole project), so any number of servers can write
 * one session at once and every reader sees exact totals, never a span counted twice. The only
 * other write is ClickHouse's own: a materialized view counts each insert's spans per session
 * into `session_writes`, which tells a server whether its last aggregates of a session still hold.
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
  private readonly projectReads: ClickHouseProjectReads;
  private readonly sessionCache: SessionAggregateCache;
  private readonly spoolDir: string | undefined;
  private spool: InsertSpool | undefined;
  private logger: StorageLogger | undefined;
  private readonly knownProjects = new Set<string>();
  private readonly knownResources = new KnownResources();
  /**
   * Few inserts at once, each as large as the waiting requests make it: an insert's cost is
   * mostly fixed (a part of 32 columns written and later merged), so two in flight keep
   * ClickHouse busy while the next batch is decoded, and everything that arrives meanwhile
   * joins the next one.
   */
  readonly ingestBatching = { maxBatchSpans: 65_536, concurrency: 2 };

  constructor(url: string, options: ClickHouseStorageOptions = {}) {
    this.target = parseClickHouseUrl(url);
    this.connection = new ClickHouseConnection(this.target, { maxConnections: options.maxConnections });
    this.db = identifier(this.target.database);
    this.spans = table(this.db, "spans");
    this.resources = table(this.db, "resources");
    this.timeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.spoolDir = options.spoolDir;
    this.projects = new ClickHouseProjects(this.connection, this.db);
    this.settings = new ClickHouseSettings(this.connection, this.db);
    this.scores = new ClickHouseScores(this.connection, this.db);
    this.projectReads = new ClickHouseProjectReads(this.connection, this.spans, this.scores, this.timeoutMs);
    this.sessionCache = new SessionAggregateCache(this.connection, table(this.db, "session_writes"));
  }

  async migrate(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.migrateOnce();
        if (this.spoolDir !== undefined && this.spool === undefined) {
          this.spool = await InsertSpool.open(
            this.spoolDir,
            // Uncompressed: a spool file is inserted again, whole, until ClickHouse has taken it.
            (bodies) => this.connection.insertRowBinary(this.spans, SPAN_INSERT_COLUMNS, bodies, { compress: false }),
            {
              // The first failure of a run, and the recovery: the spool retries until ClickHouse
              // takes the batches, and `/healthz` shows how much waits meanwhile.
              onError: (error, failedAttempts) => {
                if (failedAttempts === 0) this.warn("a spool file could not be closed or deleted", { err: String(error) });
                else if (failedAttempts === 1) this.warn("spooled spans could not be inserted yet; retrying", { err: String(error) });
              },
              onRecovered: (failedAttempts, failedForMs) =>
                this.logger?.info(
                  { failed_attempts: failedAttempts, failed_for_ms: failedForMs, ...this.spoolLogFields() },
                  "spooled spans are being inserted again",
                ),
            },
          );
        }
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
    const unique = firstOfEach(spans);
    const receivedMs = Date.now();
    const resources = new ResourceIds();
    for (const span of unique) resources.get(span.resource);
    // Resources first: a span stored is never without its resource (an orphan resource is harmless).
    const fresh = [...resources.values()].filter((resource) => !this.knownResources.has(projectId, resource.id));
    await this.connection.insert(
      this.resources,
      fresh.map((resource) => ({ project_id: projectId, id: resource.id, attributes: resource.json })),
    );
    const resourceIdOf = (span: NormalizedSpan) => resources.get(span.resource).id;
    if (this.spool !== undefined) {
      // Rows are encoded straight into the spool's memory: no copy of the body.
      await this.spool.appendEncoded(
        (writer) => encodeSpanRows(writer, unique, projectId, resourceIdOf, receivedMs),
        unique.length,
        unique.length * EXPECTED_ROW_BYTES,
      );
    } else {
      const body = encodeSpanRows(new RowBinaryWriter(unique.length * EXPECTED_ROW_BYTES), unique, projectId, resourceIdOf, receivedMs);
      await this.connection.insertRowBinary(this.spans, SPAN_INSERT_COLUMNS, body);
    }
    for (const resource of fresh) this.knownResources.add(projectId, resource.id);
    return { accepted: spans.length };
  }

  async sessionStats(projectId: string, sessionId: string, now = Date.now()): Promise<SessionStats | undefined> {
    const traceId = uuidToTraceId(sessionId);
    if (traceId === undefined) return undefined;
    // Two independent reads, sent at once: the stats cost one round trip, not two.
    const [row, scores] = await Promise.all([this.sessionRow(projectId, sessionId), this.scores.latest(projectId, traceId)]);
    if (row === undefined) return undefined;
    return toSessionStats(toSessionRow(row), projectId, now, this.timeoutMs, scores);
  }

  async recomputeStats(projectId: string, sessionId: string, now = Date.now()): Promise<SessionStats | undefined> {
    await this.spool?.drain();
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
    await this.spool?.drain();
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
    await this.spool?.drain();
    return this.projectReads.listSessions(projectId, query, now);
  }

  async usage(projectId: string, query: UsageQuery): Promise<UsageRow[]> {
    await this.spool?.drain();
    return this.projectReads.usage(projectId, query);
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

  health(): StorageHealth | undefined {
    return this.spool === undefined ? undefined : { spool: this.spool.health() };
  }

  setLogger(logger: StorageLogger): void {
    this.logger = logger;
  }

  private warn(message: string, fields: Record<string, unknown>): void {
    if (this.logger === undefined) process.emitWarning(`${message}: ${String(fields.err)}`, { code: "AGENTOPS_SPOOL_INSERT" });
    else this.logger.warn({ ...fields, ...this.spoolLogFields() }, message);
  }

  /** The spool's state, for the log lines about it. */
  private spoolLogFields(): Record<string, unknown> {
    return this.spool === undefined ? {} : { spool: spoolHealthJson(this.spool.health()) };
  }

  async close(): Promise<void> {
    try {
      await this.spool?.close();
    } finally {
      await this.connection.close();
    }
  }

  /** A session's aggregates, read afresh only when a write reached the session since the last read. */
  private async sessionRow(projectId: string, sessionId: string): Promise<SessionAggregateRow | undefined> {
    const traceId = uuidToTraceId(sessionId);
    if (traceId === undefined) return undefined;
    // This server's own writes are read: what its spool holds goes to ClickHouse first.
    await this.spool?.drain();
    return this.sessionCache.read(projectId, traceId, () => this.aggregateSession(projectId, traceId));
  }

  private async aggregateSession(projectId: string, traceId: string): Promise<SessionAggregateRow | undefined> {
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

/**
 * One span per (trace id, span id), the first of duplicates kept, as the other stores keep it.
 * Looked up by span id alone (a string the decoder made already) and the trace id compared on a
 * match: a key joined from both ids cost a new string and its hash for every span.
 */
function firstOfEach(spans: NormalizedSpan[]): NormalizedSpan[] {
  const bySpanId = new Map<string, NormalizedSpan>();
  let kept: NormalizedSpan[] | undefined;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const seen = bySpanId.get(span.spanId);
    if (seen === undefined) {
      bySpanId.set(span.spanId, span);
      kept?.push(span);
    } else if (seen.traceId === span.traceId) {
      kept ??= spans.slice(0, i); // a duplicate: every span before it was kept
    } else {
      // One span id in two traces (possible, if rare): keyed by both ids.
      const byBoth = new Map<string, NormalizedSpan>();
      for (const each of spans) {
        const key = each.traceId + each.spanId;
        if (!byBoth.has(key)) byBoth.set(key, each);
      }
      return [...byBoth.values()];
    }
  }
  return kept ?? spans;
}
