import type { ClickHouseConnection } from "./connection";
import type { SessionAggregateRow } from "./session-sql";
import { sql, type Sql } from "./sql";

/** Sessions whose aggregates one server keeps; the least recently read is dropped first. */
const DEFAULT_CAPACITY = 2_000;

interface Entry {
  writes: string;
  row: SessionAggregateRow | undefined;
}

/**
 * A session's aggregates, kept while no write to the session has happened since they were read.
 *
 * Aggregating a long session's spans is the expensive read on ClickHouse (tens of milliseconds for
 * 50,000 spans on 18.16); checking whether anything was written is cheap: `session_writes` gets a
 * row for every insert block that holds one of the session's spans, written by the same insert
 * after the spans themselves. Its row count and span total (the "writes") are read first, then
 * the aggregates only when they moved. Since the writes are read before the aggregates, cached
 * aggregates always include every span those writes announced, so a hit is exactly what a fresh
 * aggregation would return, on any number of servers, and a session still being written is read
 * afresh.
 */
export class SessionAggregateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly sessionWrites: Sql,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /**
   * The session's aggregates: the cached ones when no write happened since, else `aggregate()`'s,
   * then cached.
   */
  async read(
    projectId: string,
    traceId: string,
    aggregate: () => Promise<SessionAggregateRow | undefined>,
  ): Promise<SessionAggregateRow | undefined> {
    const key = `${projectId}/${traceId}`;
    const writes = await this.writesOf(projectId, traceId);
    const cached = this.entries.get(key);
    if (cached !== undefined && cached.writes === writes) {
      // Most recently read last, so the first key is the one to drop.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.row;
    }
    const row = await aggregate();
    this.entries.delete(key);
    this.entries.set(key, { writes, row });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return row;
  }

  private async writesOf(projectId: string, traceId: string): Promise<string> {
    const [row] = await this.connection.rows<{ blocks: string; spans: string }>(
      sql`SELECT count() AS blocks, sum(spans) AS spans FROM ${this.sessionWrites}
        WHERE project_id = ${projectId} AND trace_id = ${traceId}`,
    );
    return row === undefined ? "0/0" : `${row.blocks}/${row.spans}`;
  }
}
