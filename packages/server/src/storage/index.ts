import { ClickHouseStorage } from "./clickhouse/store";
import { PostgresStorage } from "./postgres";
import { SqliteStorage } from "./sqlite";
import type { Storage } from "./types";

/** Options of {@link openStorage}. */
export interface OpenStorageOptions {
  /**
   * A session with no end state and no new span for this long is reported as Indeterminate with
   * reason "timed out". Default 30 minutes.
   */
  sessionTimeoutMs?: number;
  /**
   * ClickHouse only: a folder where batches are written (fdatasync'ed) before they are
   * acknowledged, to reach ClickHouse as large inserts. One server per folder. Default: none.
   */
  spoolDir?: string;
}

import { DEFAULT_DATABASE_URL, parseStorageUrl } from "./url";

/**
 * Opens the store a database URL names and brings its schema up to date (idempotent, safe when
 * several servers start at once).
 *
 * - `sqlite:PATH`, `sqlite://PATH` or a bare path: SQLite (directories are created; `sqlite:` alone
 *   is `./.agentops/agentops.db`, `sqlite::memory:` an in-memory database);
 * - `postgres://…` or `postgresql://…`: PostgreSQL (libpq-style parameters such as
 *   `?options=-c%20search_path%3Dmy_schema` pass through to the driver);
 * - `clickhouse://user:password@host:8123/database`: ClickHouse over HTTP (`?secure=true` for
 *   HTTPS); the database is created when missing.
 *
 * Any other `scheme:` (a typo such as `postgress://`, or a store this server does not have) is
 * refused with a {@link StorageUrlError}: it never silently becomes a local SQLite file.
 *
 * @example
 * const storage = await openStorage("sqlite:./data/agentops.db", { sessionTimeoutMs: 10 * 60_000 });
 */
export async function openStorage(
  url: string = DEFAULT_DATABASE_URL,
  options: OpenStorageOptions = {},
): Promise<Storage> {
  const location = parseStorageUrl(url);
  const storage: Storage =
    location.kind === "postgresql"
      ? new PostgresStorage(location.url, options)
      : location.kind === "clickhouse"
        ? new ClickHouseStorage(location.url, options)
        : new SqliteStorage(location.path, options);
  try {
    await storage.migrate();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}

export {
  ACCEPTED_STORAGE_URLS,
  DEFAULT_DATABASE_URL,
  describeStorage,
  parseClickHouseUrl,
  parseStorageUrl,
  StorageUrlError,
} from "./url";
export type { ClickHouseTarget, StorageLocation } from "./url";
export { ScoreIdConflictError, ScoreLimitError, StorageQueryError, UnknownProjectError } from "./errors";
export { MAX_SCORES_PER_SESSION } from "./scores";
export { SqliteStorage, type SqliteStorageOptions } from "./sqlite";
export { PostgresStorage, type PostgresStorageOptions } from "./postgres";
export { ClickHouseStorage, type ClickHouseStorageOptions } from "./clickhouse/store";
export { clickHouseErrorCode, ClickHouseError } from "./clickhouse/connection";
export { DEFAULT_SESSION_TIMEOUT_MS, TIMED_OUT_REASON } from "./session-view";
export type {
  AddScoreResult,
  DecodedSpan,
  EndState,
  EventKind,
  IngestResult,
  ListSessionsPage,
  ListSessionsQuery,
  NewScore,
  NormalizedSpan,
  Project,
  ScoreSource,
  SessionInfo,
  SessionScore,
  SessionSort,
  SessionStats,
  Storage,
  StoredSpan,
} from "./types";
