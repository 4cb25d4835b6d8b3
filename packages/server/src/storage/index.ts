import { resolve } from "node:path";
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
}

/** Where the server keeps its data when no database is named. */
export const DEFAULT_DATABASE_URL = "sqlite:./.agentops/agentops.db";

/**
 * Opens the store a database URL names and brings its schema up to date (idempotent, safe when
 * several servers start at once).
 *
 * - `sqlite:PATH`, `sqlite://PATH` or a bare path: SQLite (directories are created; `sqlite:` alone
 *   is `./.agentops/agentops.db`, `sqlite::memory:` an in-memory database);
 * - `postgres://…` or `postgresql://…`: PostgreSQL (libpq-style parameters such as
 *   `?options=-c%20search_path%3Dmy_schema` pass through to the driver).
 *
 * @example
 * const storage = await openStorage("sqlite:./data/agentops.db", { sessionTimeoutMs: 10 * 60_000 });
 */
export async function openStorage(
  url: string = DEFAULT_DATABASE_URL,
  options: OpenStorageOptions = {},
): Promise<Storage> {
  let storage: Storage;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    storage = new PostgresStorage(url, options);
  } else {
    storage = new SqliteStorage(sqlitePath(url), options);
  }
  try {
    await storage.migrate();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}

function sqlitePath(url: string): string {
  let path = url;
  if (/^sqlite:/i.test(path)) path = path.slice("sqlite:".length);
  if (path.startsWith("//")) path = path.slice(2);
  if (path === "") path = DEFAULT_DATABASE_URL.slice("sqlite:".length);
  return path === ":memory:" ? path : resolve(path);
}

export { StorageQueryError, UnknownProjectError } from "./errors";
export { SqliteStorage, type SqliteStorageOptions } from "./sqlite";
export { PostgresStorage, type PostgresStorageOptions } from "./postgres";
export { DEFAULT_SESSION_TIMEOUT_MS, TIMED_OUT_REASON } from "./session-view";
export type {
  DecodedSpan,
  EndState,
  EventKind,
  IngestResult,
  ListSessionsPage,
  ListSessionsQuery,
  NormalizedSpan,
  Project,
  SessionInfo,
  SessionStats,
  Storage,
  StoredSpan,
} from "./types";
