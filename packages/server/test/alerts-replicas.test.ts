/**
 * Two `agentops-server serve` replicas on one database: both evaluate the same sessions (the same
 * spans reach both at once, and both sweep), and every (rule, session) still fires exactly once.
 * On a SQLite file always; on PostgreSQL too when AGENTOPS_TEST_PG_URL is set, and on ClickHouse
 * when AGENTOPS_TEST_CLICKHOUSE_URL is.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLICKHOUSE_URL, clickHouseDatabases } from "./utils/clickhouse-databases";
import { addAlert, AlertSession, createProject, postSpans, sleep } from "./utils/alert-sessions";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";
import { PG_URL, pgSchemas } from "./utils/pg-schema";
import { signatureValid, WebhookReceiver } from "./utils/webhook-receiver";

const SWEEP_MS = 200;
const FAILED_SESSIONS = 10;
const LONG_SESSIONS = 5;

const stores: Array<[string, () => Promise<{ db: string; cleanup: () => Promise<void> }>]> = [
  [
    "a SQLite file",
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "agentops-alert-replicas-"));
      return { db: `sqlite:${path.join(dir, "agentops.db")}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];
const pgUrl = PG_URL;
if (pgUrl) {
  stores.push([
    "PostgreSQL",
    async () => {
      const schemas = pgSchemas(pgUrl);
      return { db: await schemas.fresh(), cleanup: () => schemas.dropAll() };
    },
  ]);
} else {
  console.warn("alerts on PostgreSQL replicas NOT RUN: set AGENTOPS_TEST_PG_URL=postgres://user:password@host:port/database");
}
const clickHouseUrl = CLICKHOUSE_URL;
if (clickHouseUrl) {
  stores.push([
    "ClickHouse",
    async () => {
      const databases = clickHouseDatabases(clickHouseUrl);
      return { db: await databases.fresh(), cleanup: () => databases.dropAll() };
    },
  ]);
} else {
  console.warn("alerts on ClickHouse replicas NOT RUN: set AGENTOPS_TEST_CLICKHOUSE_URL=clickhouse://user:password@host:8123/database");
}

describe.each(stores)("two replicas on %s", (_name, openStore) => {
  const receiver = new WebhookReceiver();
  const replicas: ServeProcess[] = [];
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    assertBuilt();
    await receiver.start();
  });
  afterAll(async () => {
    await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
    await receiver.close();
    await cleanup?.();
  });

  it("fire each rule once per session, though both replicas evaluate every session", async () => {
    const store = await openStore();
    cleanup = store.cleanup;
    const { db } = store;
    const project = await createProject(db, "replicated alerts");
    const failure = JSON.parse((await addAlert(db, project.project_id, "failed", "end_state:Failure", `${receiver.url}/failure`)).stdout);
    const duration = JSON.parse((await addAlert(db, project.project_id, "long", "duration_over:1s", `${receiver.url}/duration`)).stdout);
    replicas.push(
      ...(await Promise.all([0, 1].map(() => startServe(["--port", "0", "--db", db], { AGENTOPS_ALERTS_SWEEP_MS: String(SWEEP_MS) })))),
    );

    // The same Failure batch to both replicas at the same moment.
    const failed = Array.from({ length: FAILED_SESSIONS }, () => new AlertSession());
    await Promise.all(
      failed.flatMap((session) => {
        const spans = [session.error(), session.end("Failure", session.startMs + 500)];
        return replicas.map(async (replica) => expect((await postSpans(replica.url, project.api_key, spans)).status).toBe(200));
      }),
    );
    // Running sessions that pass 1 s while both replicas sweep them.
    const long = Array.from({ length: LONG_SESSIONS }, () => new AlertSession(Date.now()));
    await Promise.all(long.map((session, index) => postSpans(replicas[index % 2]!.url, project.api_key, [session.llm(0.01, session.startMs)])));

    await receiver.waitFor("/failure", FAILED_SESSIONS);
    await receiver.waitFor("/duration", LONG_SESSIONS);
    // Several more sweeps of both replicas: nothing fires again.
    await sleep(10 * SWEEP_MS);
    const failureIds = receiver.at("/failure").map((request) => request.body.session_id);
    const durationIds = receiver.at("/duration").map((request) => request.body.session_id);
    expect(failureIds.sort()).toEqual(failed.map((session) => session.sessionId).sort());
    expect(durationIds.sort()).toEqual(long.map((session) => session.sessionId).sort());
    for (const request of receiver.at("/failure")) expect(signatureValid(request, failure.secret)).toBe(true);
    for (const request of receiver.at("/duration")) expect(signatureValid(request, duration.secret)).toBe(true);

    // Both replicas delivered some (the firing replica is whichever got there first) and the one
    // delivery list holds every delivery of both.
    const firedBy = replicas.map((replica) => replica.logs.filter((entry) => entry.msg === "alert fired").length);
    expect(firedBy[0]! + firedBy[1]!).toBe(FAILED_SESSIONS + LONG_SESSIONS);
    console.log(`alerts fired per replica on ${_name}: ${firedBy.join(" + ")}`);
    let deliveries: any[] = [];
    for (let i = 0; i < 50; i++) {
      deliveries = JSON.parse((await runCli(["alerts", "deliveries", project.project_id, "--db", db, "--json"])).stdout).deliveries;
      if (deliveries.length === FAILED_SESSIONS + LONG_SESSIONS && deliveries.every((entry) => entry.status === "delivered")) break;
      await sleep(200);
    }
    expect(deliveries.map((entry) => entry.session_id).sort()).toEqual([...failureIds, ...durationIds].sort());
    expect(deliveries.every((entry) => entry.status === "delivered" && entry.attempts.length === 1)).toBe(true);
  }, 90_000);
});
