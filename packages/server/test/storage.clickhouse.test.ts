import { describeScoresSuite } from "./utils/storage-scores-suite";
import { describeStorageSuite } from "./utils/storage-suite";
import { CLICKHOUSE_URL, clickHouseDatabases } from "./utils/clickhouse-databases";

/**
 * The shared storage suite against a real ClickHouse server. Each test gets a database of its
 * own, all dropped at the end. `scripts/test.sh` starts a server and sets
 * AGENTOPS_TEST_CLICKHOUSE_URL; without it this file says loudly that the ClickHouse store was
 * NOT tested.
 */
const url = CLICKHOUSE_URL;

if (!url) {
  console.warn(
    "ClickHouse storage suite NOT RUN: set AGENTOPS_TEST_CLICKHOUSE_URL=clickhouse://user:password@host:8123/database",
  );
  test.skip("ClickHouse storage suite NOT RUN (AGENTOPS_TEST_CLICKHOUSE_URL is not set)", () => undefined);
} else {
  const databases = clickHouseDatabases(url);
  afterAll(() => databases.dropAll());
  describeStorageSuite("ClickHouse", () => ({ freshUrl: () => databases.fresh() }));
  describeScoresSuite("ClickHouse", () => ({ freshUrl: () => databases.fresh() }));
}
