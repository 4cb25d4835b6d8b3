import { resolve } from "node:path";

/** Where the server keeps its data when no database is named. */
export const DEFAULT_DATABASE_URL = "sqlite:./.agentops/agentops.db";

/** The storage URL forms accepted, as error messages name them. */
export const ACCEPTED_STORAGE_URLS =
  "sqlite:PATH, sqlite://PATH, sqlite::memory:, a file path without a scheme, postgres://… or postgresql://…";

/** A store a storage URL names. */
export type StorageLocation =
  | { kind: "sqlite"; /** absolute, or `:memory:` */ path: string }
  | { kind: "postgresql"; url: string };

/** A storage URL that names no store this server has (an unknown or misspelled scheme). */
export class StorageUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StorageUrlError";
  }
}

/** `scheme:` at the start; a one-letter scheme is a Windows drive (`C:\data`), i.e. a bare path. */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * Reads a storage URL: `sqlite:PATH`, `sqlite://PATH` or a bare path (SQLite; `sqlite:` alone is
 * the default file, `sqlite::memory:` an in-memory database), `postgres://…` or `postgresql://…`
 * (PostgreSQL). Anything else with a `scheme:` prefix throws a {@link StorageUrlError} naming the
 * accepted forms, so that a typo such as `postgress://` never silently becomes a local file.
 *
 * @example
 * parseStorageUrl("postgres://agentops@db:5432/agentops"); // { kind: "postgresql", url: … }
 * parseStorageUrl("./data/agentops.db"); // { kind: "sqlite", path: "/…/data/agentops.db" }
 */
export function parseStorageUrl(url: string): StorageLocation {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme.length === 1) return { kind: "sqlite", path: sqlitePath(url) };
  if (scheme === "sqlite") {
    let path = url.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") path = DEFAULT_DATABASE_URL.slice("sqlite:".length);
    return { kind: "sqlite", path: sqlitePath(path) };
  }
  if ((scheme === "postgres" || scheme === "postgresql") && url.slice(scheme.length + 1).startsWith("//")) {
    return { kind: "postgresql", url };
  }
  if (scheme === "clickhouse") {
    throw new StorageUrlError(`ClickHouse storage is not available in this version; use ${ACCEPTED_STORAGE_URLS}`);
  }
  throw new StorageUrlError(`unsupported storage URL ${JSON.stringify(`${scheme}:…`)}; use ${ACCEPTED_STORAGE_URLS}`);
}

function sqlitePath(path: string): string {
  return path === ":memory:" ? path : resolve(path);
}

/**
 * The store for logs, without credentials: `sqlite /abs/agentops.db`,
 * `postgresql 127.0.0.1:5432/agentops`.
 */
export function describeStorage(location: StorageLocation): string {
  if (location.kind === "sqlite") return `sqlite ${location.path}`;
  try {
    const parsed = new URL(location.url);
    return `postgresql ${parsed.host}${parsed.pathname}`;
  } catch {
    return "postgresql";
  }
}
