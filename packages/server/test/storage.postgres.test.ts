import { randomBytes } from "node:crypto";
import pg from "pg";
import { describeScoresSuite } from "./utils/storage-scores-suite";
import { describeStorageSuite } from "./utils/storage-suite";

/**
 * The shared storage suite against a real PostgreSQL. Each test gets a schema of its own, all
 * dropped at the end. CI always sets AGENTOPS_TEST_PG_URL; without it this file says loudly that
 * the PostgreSQL store was NOT tested.
 */
const url = process.env.AGENTOPS_TEST_PG_URL;

if (!url) {
  console.warn(
    "PostgreSQL storage suite NOT RUN: set AGENTOPS_TEST_PG_URL=postgres://user:password@host:port/database",
  );
  test.skip("PostgreSQL storage suite NOT RUN (AGENTOPS_TEST_PG_URL is not set)", () => undefined);
} else {
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  const prefix = `agentops_test_${process.pid}_${randomBytes(3).toString("hex")}`;
  const schemas: string[] = [];

  afterAll(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  const engine = () => ({
    freshUrl: async () => {
      const schema = `${prefix}_${schemas.length + 1}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      schemas.push(schema);
      const target = new URL(url);
      target.searchParams.set("options", `-c search_path=${schema}`);
      return target.toString();
    },
  });
  describeStorageSuite("PostgreSQL", engine);
  describeScoresSuite("PostgreSQL", engine);
}
