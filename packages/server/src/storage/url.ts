import { resolve } from "node:path";

/** Where the server keeps its data when no database is named. */
export const DEFAULT_DATABASE_URL = "sqlite:./.agentops/agentops.db";

/** The storage URL forms accepted, as error messages name them. */
export const ACCEPTED_STORAGE_URLS =
  "sqlite:PATH, sqlite://PATH, sqlite::memory:, a file path without a scheme, postgres://… or postgresql://…, clickhouse://…";

/** A store a storage URL names. */
export type StorageLocation =
  | { kind: "sqlite"; /** absolute, or `:memory:` */ path: string }
  | { kind: "postgresql"; url: string }
  | { kind: "clickhouse"; url: string; target: ClickHouseTarget };

/** Where a ClickHouse store is: its HTTP(S) endpoint, credentials and database. */
export interface ClickHouseTarget {
  /** `http://host:port` or `https://host:port`, without credentials. */
  endpoint: string;
  username: string;
  password: string;
  database: string;
}

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
 * (PostgreSQL), `clickhouse://user:password@host:port/database` (ClickHouse over HTTP; port 8123
 * by default, `?secure=true` for HTTPS on 8443). Anything else with a `scheme:` prefix throws a {@link StorageUrlError} naming the
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
  if (scheme === "clickhouse" && url.slice(scheme.length + 1).startsWith("//")) {
    return { kind: "clickhouse", url, target: parseClickHouseUrl(url) };
  }
  throw new StorageUrlError(`unsupported storage URL ${JSON.stringify(`${scheme}:…`)}; use ${ACCEPTED_STORAGE_URLS}`);
}

/** A ClickHouse database name: it is written into statements, so only plain identifiers. */
const CLICKHOUSE_DATABASE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * `clickhouse://user:password@host:port/database?secure=true` → endpoint, credentials and
 * database. The user defaults to `default` with no password, the port to 8123 (8443 with
 * `secure=true`), the database to `default`.
 */
export function parseClickHouseUrl(url: string): ClickHouseTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StorageUrlError(`unreadable ClickHouse URL; use clickhouse://user:password@host:8123/database`);
  }
  if (parsed.hostname === "") throw new StorageUrlError("a ClickHouse URL needs a host: clickhouse://user:password@host:8123/database");
  const secure = ["1", "true"].includes(parsed.searchParams.get("secure") ?? "");
  const database = decoded(parsed.pathname.replace(/^\//, "")) || "default";
  if (!CLICKHOUSE_DATABASE.test(database)) {
    throw new StorageUrlError(`invalid ClickHouse database name ${JSON.stringify(database)}: letters, digits and _ only`);
  }
  const port = parsed.port || (secure ? "8443" : "8123");
  return {
    endpoint: `${secure ? "https" : "http"}://${parsed.hostname}:${port}`,
    username: decoded(parsed.username) || "default",
    password: decoded(parsed.password),
    database,
  };
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new StorageUrlError("unreadable percent-encoding in the ClickHouse URL");
  }
}

function sqlitePath(path: string): string {
  return path === ":memory:" ? path : resolve(path);
}

/**
 * The store for logs, without credentials: `sqlite /abs/agentops.db`,
 * `postgresql 127.0.0.1:5432/agentops`, `clickhouse http://127.0.0.1:8123/agentops`.
 */
export function describeStorage(location: StorageLocation): string {
  if (location.kind === "sqlite") return `sqlite ${location.path}`;
  if (location.kind === "clickhouse") return `clickhouse ${location.target.endpoint}/${location.target.database}`;
  try {
    const parsed = new URL(location.url);
    return `postgresql ${parsed.host}${parsed.pathname}`;
  } catch {
    return "postgresql";
  }
}
