import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import type { ClickHouseTarget } from "../url";
import type { Sql } from "./sql";

/**
 * An error from ClickHouse with its numeric code. ClickHouse 18.16 sends its errors as plain text
 * (`Code: 60, e.displayText() = DB::Exception: …`), which the client does not parse into a
 * code, so the code is read from the message.
 */
export class ClickHouseError extends Error {
  override readonly name = "ClickHouseError";
  constructor(
    message: string,
    readonly code: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** ClickHouse error codes this store reacts to. */
export const CH_TABLE_ALREADY_EXISTS = 57;
export const CH_UNKNOWN_TABLE = 60;
export const CH_UNKNOWN_DATABASE = 81;

/** The code at the start of a ClickHouse error message, if any. */
export function clickHouseErrorCode(message: string): number | undefined {
  const match = /^Code: (\d+)/.exec(message.trimStart());
  return match ? Number(match[1]) : undefined;
}

/** Network errors after which a statement is sent again (every statement here is idempotent). */
const RETRYABLE_NETWORK = /ECONNRESET|EPIPE|socket hang up|ECONNREFUSED|ETIMEDOUT/;
const MAX_ATTEMPTS = 3;
/** Output chunks of the RowBinary inserts' gzip stream. */
const GZIP_CHUNK_BYTES = 1024 * 1024;

/** Options of {@link ClickHouseConnection}. */
export interface ClickHouseConnectionOptions {
  /** HTTP connections kept open, for statements and for RowBinary inserts each. Default 10. */
  maxConnections?: number;
  /** Milliseconds before a statement is abandoned. Default 60 s. */
  requestTimeoutMs?: number;
}

/**
 * The HTTP connection to ClickHouse (`@clickhouse/client`). Reads are JSONEachRow; inserts are
 * JSONEachRow or RowBinary bodies sent gzip-compressed: besides saving bandwidth, the gzip trailer is what
 * makes an insert all-or-nothing when this process dies mid-request. ClickHouse commits whatever
 * rows a cut-off plain body held (it reads a closed connection as the end of the data), while a
 * cut-off gzip stream fails to decompress and nothing is written.
 */
export class ClickHouseConnection {
  private readonly client: ClickHouseClient;
  /** For RowBinary inserts, whose bodies this class compresses itself, or not (see {@link insertRowBinary}). */
  private readonly rowBinaryClient: ClickHouseClient;

  constructor(target: ClickHouseTarget, options: ClickHouseConnectionOptions = {}) {
    const config = {
      url: target.endpoint,
      username: target.username,
      password: target.password,
      // No default database: the store's may not exist yet, and every statement names it.
      max_open_connections: options.maxConnections ?? 10,
      request_timeout: options.requestTimeoutMs ?? 60_000,
      application: "agentops-server",
      log: { level: ClickHouseLogLevel.OFF },
    };
    this.client = createClient({
      ...config,
      compression: { request: { codec: "gzip", level: 1 }, response: false },
    });
    this.rowBinaryClient = createClient({
      ...config,
      compression: { request: false, response: false },
    });
  }

  /** Runs a query and returns its rows. */
  rows<T>(query: Sql): Promise<T[]> {
    return this.attempt(async () => {
      const result = await this.client.query({ query: query.text, format: "JSONEachRow" });
      return result.json<T>();
    });
  }

  /** Runs a query `… WITH TOTALS` and returns its rows and its totals row. */
  rowsWithTotals<T>(query: Sql): Promise<{ rows: T[]; totals: T | undefined }> {
    return this.attempt(async () => {
      const result = await this.client.query({ query: query.text, format: "JSON" });
      const body = await result.json<T>();
      return { rows: body.data, totals: body.totals };
    });
  }

  /**
   * Runs one query and hands its rows over in pages of `pageSize` as they arrive, so a large
   * result is neither held in memory here nor re-read page by page. Leaving the loop early
   * closes the response. A failure after the first rows (ClickHouse then writes its error into
   * the body) makes the rows unreadable and the iteration throw: it never ends short silently.
   */
  async *pages<T>(query: Sql, pageSize: number): AsyncGenerator<T[]> {
    const result = await this.attempt(() =>
      this.client.query({ query: query.text, format: "JSONEachRow" }),
    );
    let page: T[] = [];
    try {
      for await (const rows of result.stream<T>()) {
        for (const row of rows) {
          page.push(row.json());
          if (page.length >= pageSize) {
            yield page;
            page = [];
          }
        }
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ClickHouseError(message, clickHouseErrorCode(message), { cause: error });
    } finally {
      result.close();
    }
    if (page.length > 0) yield page;
  }

  /** Runs a statement that returns nothing (DDL, INSERT … SELECT). */
  command(statement: Sql): Promise<void> {
    return this.attempt(async () => {
      await this.client.command({ query: statement.text });
    });
  }

  /**
   * Inserts rows into a table in one request. ClickHouse answers once the rows are written, as
   * one part (so all or none of them is visible), and the promise resolves only then.
   */
  insert(table: Sql, rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.attempt(async () => {
      await this.client.insert({
        table: table.text,
        values: rows as Array<Record<string, unknown>>,
        format: "JSONEachRow",
      });
    });
  }

  /**
   * Inserts a RowBinary body (rows already encoded in `columns` order; several bodies are sent
   * back to back, without copying them into one) in one request; resolves once ClickHouse has
   * written the part.
   *
   * Sent gzip-compressed like every insert, so that it is all or nothing (see the class
   * comment), unless `compress` is false. Only a caller that sends the whole body again after
   * any failure, its own crash included, may turn it off: the spool, whose file stays until
   * ClickHouse has taken it, so a part committed from a cut-off body is completed by the next
   * attempt and its spans collapse as redeliveries. Uncompressed, an insert costs this process
   * no gzip (1.6–1.9 µs of CPU per span at level 1, measured here) and ClickHouse no inflate.
   *
   * Compressed, the body goes through zlib in 1 MiB output chunks instead of its 16 KiB: an insert
   * of 65,536 spans (26 MB of rows, 4 MB compressed) then takes a handful of round trips to
   * zlib's thread and of socket writes instead of some 250 of each, which cost this process's
   * main thread 0.5–1 µs per span (measured here).
   */
  insertRowBinary(table: Sql, columns: string, body: Buffer | readonly Buffer[], options: { compress?: boolean } = {}): Promise<void> {
    const bodies = (Buffer.isBuffer(body) ? [body] : body).filter((part) => part.length > 0);
    if (bodies.length === 0) return Promise.resolve();
    const compress = options.compress ?? true;
    return this.attempt(async () => {
      const result = await this.rowBinaryClient.exec({
        query: `INSERT INTO ${table.text} (${columns}) FORMAT RowBinary`,
        values: compress ? Readable.from(bodies).pipe(createGzip({ level: 1, chunkSize: GZIP_CHUNK_BYTES })) : Readable.from(bodies),
        ...(compress ? { http_headers: { "Content-Encoding": "gzip" } } : {}),
      });
      // The answer is empty; read it to the end so the connection goes back to the pool.
      for await (const chunk of result.stream) void chunk;
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.client.close(), this.rowBinaryClient.close()]);
  }

  private async attempt<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const code = clickHouseErrorCode(message);
        if (code === undefined && attempt < MAX_ATTEMPTS && RETRYABLE_NETWORK.test(message))
          continue;
        throw new ClickHouseError(message, code, { cause: error });
      }
    }
  }
}
