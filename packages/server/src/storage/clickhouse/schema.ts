import type { Sql } from "./sql";
import { raw, sql } from "./sql";

/** One step of the ClickHouse schema: statements run in order, each idempotent on its own. */
export interface ClickHouseMigration {
  version: number;
  name: string;
  /** The statements, given the quoted database name. */
  statements(db: Sql): Sql[];
}

/**
 * The ClickHouse schema, as numbered migrations (never edit a released one: add the next). Every
 * statement is `… IF NOT EXISTS`, so that servers starting at once against a fresh database can
 * all run them.
 *
 * `spans` is a ReplacingMergeTree keyed by (project, trace, span id): a redelivered span is the
 * same key, and reads with `FINAL` see one row per key whatever merges have happened. The key
 * holds no time: a time column in it would make a span re-sent with another start time a second
 * row. The table has no partitions, because ClickHouse writes one insert as one part (all or
 * nothing) only within one partition, and replaces duplicates only within one.
 *
 * The version column `arrival_rank` is larger for earlier arrivals (a constant minus the receive
 * time), so the first delivery of a span is the row kept, as in the other stores: a redelivery
 * never moves a session's last-seen time.
 *
 * Session metadata is decided on read by "greatest key wins" (see rollup.ts); the keys are
 * computed at ingest and stored with each span ('' when the span says nothing), so the reads are
 * plain `max` / `argMax`.
 */
export const CLICKHOUSE_MIGRATIONS: readonly ClickHouseMigration[] = [
  {
    version: 1,
    name: "initial schema",
    statements: (db) => [
      sql`CREATE TABLE IF NOT EXISTS ${db}.projects (
        id String,
        name String,
        created_at String
      ) ENGINE = ReplacingMergeTree ORDER BY id`,
      sql`CREATE TABLE IF NOT EXISTS ${db}.api_keys (
        lookup String,
        project_id String,
        key_hash String,
        created_at String
      ) ENGINE = ReplacingMergeTree ORDER BY lookup`,
      sql`CREATE TABLE IF NOT EXISTS ${db}.resources (
        project_id String,
        id String,
        attributes String
      ) ENGINE = ReplacingMergeTree ORDER BY (project_id, id)`,
      sql`CREATE TABLE IF NOT EXISTS ${db}.spans (
        project_id String,
        trace_id String,
        span_id String,
        parent_span_id Nullable(String),
        name String,
        kind String,
        start_ns UInt64,
        end_ns UInt64,
        status_code UInt8,
        status_message Nullable(String),
        attributes String,
        events Nullable(String),
        resource_id String,
        model Nullable(String),
        provider Nullable(String),
        prompt_tokens Int64,
        completion_tokens Int64,
        cached_tokens Int64,
        reasoning_tokens Int64,
        cost_pico UInt64,
        is_error UInt8,
        has_tags UInt8,
        tags Array(String),
        end_state Nullable(String),
        end_state_reason Nullable(String),
        video Nullable(String),
        end_state_key String,
        tags_key String,
        video_key String,
        host_key String,
        received_ms UInt64,
        arrival_rank UInt64
      ) ENGINE = ReplacingMergeTree(arrival_rank) ORDER BY (project_id, trace_id, span_id)`,
    ],
  },
  {
    version: 2,
    name: "settings and scores",
    statements: (db) => [
      // One row per write of a setting; `version` orders them (see settings.ts), and a merge
      // keeps the row a read picks with argMax(value, version).
      sql`CREATE TABLE IF NOT EXISTS ${db}.settings (
        name String,
        value String,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version) ORDER BY name`,
      // A score per (project, session, id). Values are kept as their IEEE 754 bits: ClickHouse
      // 18.16 parses some floats inexactly (denormals become 0). `seq` orders a session's
      // scores (the latest of a name is the greatest seq); `arrival_rank` keeps the first
      // arrival of an id when a replay is stored twice.
      sql`CREATE TABLE IF NOT EXISTS ${db}.scores (
        project_id String,
        trace_id String,
        id String,
        name String,
        value_bits UInt64,
        comment Nullable(String),
        source String,
        created_ms UInt64,
        seq UInt64,
        arrival_rank UInt64
      ) ENGINE = ReplacingMergeTree(arrival_rank) ORDER BY (project_id, trace_id, id)`,
    ],
  },
  {
    version: 3,
    name: "session writes",
    statements: (db) => [
      // One row per (insert block, session) the spans table receives, written by ClickHouse in
      // the same insert, after the spans: the count of a session's rows changes with every write
      // to it, so a session's aggregates computed once stay exact until that count moves (see
      // session-cache.ts). A plain MergeTree: merges never fold its rows together.
      sql`CREATE TABLE IF NOT EXISTS ${db}.session_writes (
        project_id String,
        trace_id String,
        spans UInt64
      ) ENGINE = MergeTree ORDER BY (project_id, trace_id)`,
      sql`CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.session_writes_view TO ${db}.session_writes
        AS SELECT project_id, trace_id, count() AS spans FROM ${db}.spans GROUP BY project_id, trace_id`,
    ],
  },
];

/** The table of applied migrations (one row per version; duplicates from racing servers collapse). */
export function migrationsTable(db: Sql): Sql {
  return sql`CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (
    version UInt32,
    name String,
    applied_at DateTime DEFAULT now()
  ) ENGINE = ReplacingMergeTree ORDER BY version`;
}

/** `arrival_rank` of a span received at `receivedMs`: earlier arrivals rank higher. */
export function arrivalRank(receivedMs: number): number {
  return ARRIVAL_BASE - receivedMs;
}

/** Above any epoch-ms time this code will see (the year 2255), below 2^53. */
const ARRIVAL_BASE = 9_000_000_000_000;

/** `db.table`, for tables this code names. */
export function table(db: Sql, name: "projects" | "api_keys" | "resources" | "spans" | "schema_migrations" | "settings" | "scores" | "session_writes"): Sql {
  return raw(`${db.text}.${name}`);
}
