import { randomBytes } from "node:crypto";
import { ClickHouseConnection } from "../../src/storage/clickhouse/connection";
import { identifier, sql } from "../../src/storage/clickhouse/sql";
import { parseClickHouseUrl } from "../../src/storage/url";

/** The ClickHouse server tests use (`scripts/test.sh` starts one and sets it). */
export const CLICKHOUSE_URL = process.env.AGENTOPS_TEST_CLICKHOUSE_URL;

/**
 * Fresh databases on the test ClickHouse server, one per call (the store creates it on first
 * open); `dropAll` removes them.
 */
export function clickHouseDatabases(url: string): { fresh(): Promise<string>; dropAll(): Promise<void> } {
  // Dropping a database can wait for ClickHouse's background work on it: a generous timeout.
  const admin = new ClickHouseConnection(parseClickHouseUrl(url), { maxConnections: 1, requestTimeoutMs: 5 * 60_000 });
  const prefix = `agentops_test_${process.pid}_${randomBytes(3).toString("hex")}`;
  const names: string[] = [];
  return {
    async fresh() {
      const name = `${prefix}_${names.length + 1}`;
      names.push(name);
      const target = new URL(url);
      target.pathname = `/${name}`;
      return target.toString();
    },
    async dropAll() {
      for (const name of names.splice(0)) await admin.command(sql`DROP DATABASE IF EXISTS ${identifier(name)}`);
      await admin.close();
    },
  };
}
