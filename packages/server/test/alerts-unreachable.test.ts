/**
 * A webhook that refuses connections or never answers: ingest answers as fast as for a project
 * without rules, every span is stored, and the alerts end as failed deliveries with each attempt
 * recorded. A real server process, a real hanging HTTP receiver on 127.0.0.1, a closed port.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { addAlert, AlertSession, createProject, postSpans, sleep } from "./utils/alert-sessions";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";
import { closedPort, WebhookReceiver } from "./utils/webhook-receiver";

const WEBHOOK_TIMEOUT_MS = 1_000;
const ROUNDS = 8;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe("an unreachable webhook", () => {
  let dir: string;
  let db: string;
  let server: ServeProcess | undefined;
  const hanging = new WebhookReceiver(() => "hang");
  const projects: Record<string, { project_id: string; api_key: string }> = {};

  beforeAll(async () => {
    assertBuilt();
    await hanging.start();
    dir = mkdtempSync(path.join(tmpdir(), "agentops-alerts-down-"));
    db = `sqlite:${path.join(dir, "agentops.db")}`;
    const refusedUrl = `http://127.0.0.1:${await closedPort()}/hook`;
    for (const name of ["control", "refused", "hanging"]) projects[name] = await createProject(db, name);
    expect((await addAlert(db, projects.refused!.project_id, "any error", "errors_over:0", refusedUrl)).code).toBe(0);
    expect((await addAlert(db, projects.hanging!.project_id, "any error", "errors_over:0", `${hanging.url}/hook`)).code).toBe(0);
    server = await startServe(["--port", "0", "--db", db], { AGENTOPS_ALERTS_WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS) });
  }, 60_000);
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await hanging.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deliveries = async (project: string): Promise<any[]> =>
    JSON.parse((await runCli(["alerts", "deliveries", projects[project]!.project_id, "--db", db, "--json"])).stdout).deliveries;

  it("never slows or loses ingest; its alerts end as failed deliveries, each attempt recorded", async () => {
    const url = server!.url;
    // Warm up the connection and the server's caches.
    for (let i = 0; i < 3; i++) await postSpans(url, projects.control!.api_key, [new AlertSession().error()]);
    const latency: Record<string, number[]> = { control: [], refused: [], hanging: [] };
    const sessions: Record<string, AlertSession[]> = { control: [], refused: [], hanging: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const project of ["control", "refused", "hanging"]) {
        const session = new AlertSession();
        sessions[project]!.push(session);
        const { status, ms } = await postSpans(url, projects[project]!.api_key, [session.llm(0.01), session.error(), session.end("Failure", Date.now())]);
        expect(status).toBe(200);
        latency[project]!.push(ms);
      }
      // Let the alerts of the round start, so later rounds are measured while deliveries hang.
      await sleep(50);
    }
    const figures = Object.fromEntries(Object.entries(latency).map(([project, values]) => [project, { median_ms: Math.round(median(values) * 10) / 10, max_ms: Math.round(Math.max(...values) * 10) / 10 }]));
    console.log(`ingest latency with unreachable webhooks: ${JSON.stringify(figures)}`);
    // Waiting on a webhook would cost at least its timeout (1 s) per request.
    for (const project of ["refused", "hanging"]) {
      expect(median(latency[project]!)).toBeLessThan(median(latency.control!) + 50);
      expect(Math.max(...latency[project]!)).toBeLessThan(WEBHOOK_TIMEOUT_MS);
    }
    expect(hanging.at("/hook").length).toBeGreaterThan(0);

    // Every span is stored.
    for (const project of ["refused", "hanging"]) {
      for (const session of sessions[project]!) {
        const response = await fetch(`${url}/v2/sessions/${session.sessionId}/stats`, { headers: { "x-agentops-api-key": projects[project]!.api_key } });
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ llm_calls: 1, errors: 1, end_state: "Failure" });
      }
    }

    // Refused: 4 attempts (waits 1 + 2 + 4 s), then failed.
    let refused: any[] = [];
    for (let i = 0; i < 60; i++) {
      refused = await deliveries("refused");
      if (refused.length === ROUNDS && refused.every((entry) => entry.status === "failed")) break;
      await sleep(250);
    }
    expect(refused.map((entry) => entry.session_id).sort()).toEqual(sessions.refused!.map((session) => session.sessionId).sort());
    for (const entry of refused) {
      expect(entry.status).toBe("failed");
      expect(entry.attempts.map((attempt: any) => attempt.attempt)).toEqual([1, 2, 3, 4]);
      for (const attempt of entry.attempts) expect(attempt).toMatchObject({ status: null, error: expect.stringMatching(/ECONNREFUSED/) });
    }

    // Hanging: attempts time out one by one; at shutdown the one in flight ends the delivery.
    const pending = await deliveries("hanging");
    expect(pending).toHaveLength(ROUNDS);
    for (const entry of pending) {
      expect(entry.attempts.length).toBeGreaterThanOrEqual(1);
      expect(entry.attempts[0]).toMatchObject({ status: null, error: `no answer within ${WEBHOOK_TIMEOUT_MS} ms` });
    }
    const stopping = Date.now();
    expect(await server!.stop("SIGTERM")).toBe(0);
    const stopMs = Date.now() - stopping;
    console.log(`shutdown with ${ROUNDS} deliveries in flight: ${stopMs} ms`);
    expect(stopMs).toBeLessThan(5_000);
    server = undefined;
    const ended = await deliveries("hanging");
    for (const entry of ended) {
      expect(entry.status).toBe("failed");
      expect(entry.attempts[entry.attempts.length - 1].error).toMatch(/the server stopped before an answer came|no answer within/);
    }
  }, 60_000);
});
