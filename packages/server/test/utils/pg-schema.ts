import { randomBytes } from "node:crypto";
import pg from "pg";

/** The PostgreSQL database tests use; CI always sets it. */
export const PG_URL = process.env.AGENTOPS_TEST_PG_URL;

/**
 * Fresh schemas in the test database, one per call, each reached through a URL whose
 * `search_path` points at it; `dropAll` removes them.
 */
export function pgSchemas(url: string): { fresh(): Promise<string>; dropAll(): Promise<void> } {
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  const prefix = `agentops_server_test_${process.pid}_${randomBytes(3).toString("hex")}`;
  const schemas: string[] = [];
  return {
    async fresh() {
      const schema = `${prefix}_${schemas.length + 1}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      schemas.push(schema);
      const target = new URL(url);
      target.searchParams.set("options", `-c search_path=${schema}`);
      return target.toString();
    },
    async dropAll() {
      for (const schema of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
