/**
 * `session.score()` in real child processes against a real `agentops-server` process on SQLite,
 * directly and through a proxy that injects faults: scores are stored once with their comments,
 * invalid ones are refused locally without a throw, a score given just before `endSession` is on
 * the server when it resolves, one given after the end still arrives, 5xx and resets are retried,
 * a refusal is not, and a server that is down costs a bounded wait and nothing else.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { SessionExport } from "@agentops/span-model";
import { FaultProxy } from "./utils/fault-proxy";
import { createProject, startServer, type ServerProcess } from "./utils/server-process";

const FIXTURE = path.join(__dirname, "fixtures", "score-app.cjs");
let server: ServerProcess;
let apiKey: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "agentops-scores-"));
  const db = `sqlite:${path.join(dir, "agentops.db")}`;
  apiKey = (await createProject(db, "scores")).api_key;
  server = await startServer(db);
}, 60_000);
afterAll(async () => {
  await server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  result: { session: string; results: Record<string, unknown>; threw: boolean; unhandled: string[] };
  stderr: string;
  code: number;
  ms: number;
}

function run(mode: string, env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [FIXTURE, mode],
      {
        timeout: 60_000,
        env: {
          ...process.env,
          AGENTOPS_API_KEY: apiKey,
          AGENTOPS_API_ENDPOINT: server.url,
          SCORES_CHECK_URL: server.url,
          AGENTOPS_LOG_LEVEL: "warn",
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const lines = stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line));
        resolve({ result: lines[0], stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0, ms: Date.now() - started });
      },
    );
  });
}

async function exported(sessionId: string): Promise<SessionExport> {
  const response = await fetch(`${server.url}/v2/sessions/${sessionId}/export`, { headers: { "x-agentops-api-key": apiKey } });
  expect(response.status).toBe(200);
  return (await response.json()) as SessionExport;
}

describe("session.score()", () => {
  describe("through a proxy that injects faults", () => {
    let proxy: FaultProxy;
    beforeEach(async () => {
      proxy = await new FaultProxy(server.url).start();
      proxy.only = /\/scores$/;
    });
    afterEach(async () => {
      await proxy.stop();
    });
    const scoreRequests = () => proxy.requests.filter((request) => request.endsWith("/scores")).length;

    it("stores scores with comments; refuses invalid ones locally; waits for the last one at endSession; sends one given after the end", async () => {
      // Scores answered 400 ms late: endSession must wait for the last one, however fast its spans go.
      proxy.mode = { kind: "slow", delayMs: 400 };
      const { result, stderr, code } = await run("basic", { AGENTOPS_API_ENDPOINT: proxy.url });
      expect(code).toBe(0);
      expect(result.threw).toBe(false);
      expect(result.unhandled).toEqual([]);
      expect(result.results).toEqual({
        quality: true,
        resolved: true,
        nan: false,
        blank: false,
        longComment: false,
        wrongTypes: false,
        nullOptions: false,
        longName: false,
        // Read from the server right after endSession resolved.
        atEnd: ["quality", "resolved", "final"],
      });
      expect(stderr).toContain("the value must be a finite number or a boolean, not NaN");
      expect(stderr).toContain("the comment must be at most 2000 characters");
      expect(stderr).toContain("the name must be at most 200 characters");

      const body = await exported(result.session);
      expect(body.scores.map((score) => [score.name, score.value, score.comment, score.source])).toEqual([
        ["quality", 0.9, "right answer, a bit long", "sdk"],
        ["resolved", 1, null, "sdk"],
        ["final", 0.75, "given just before the end", "sdk"],
        ["late", 2, "after the end", "sdk"],
      ]);
      expect(body.stats.scores).toEqual({ final: 0.75, late: 2, quality: 0.9, resolved: 1 });
      expect(body.actions).toHaveLength(1);
    });

    it("retries a 503 and a reset, and stores the score once", async () => {
      proxy.mode = { kind: "status", status: 503 };
      // 503 for the first attempt, a reset for the second, then through.
      const steps = (async () => {
        for (let i = 0; i < 500 && proxy.counts.statuses < 1; i++) await new Promise((r) => setTimeout(r, 10));
        proxy.mode = { kind: "reset" };
        for (let i = 0; i < 500 && proxy.counts.resets < 1; i++) await new Promise((r) => setTimeout(r, 10));
        proxy.mode = { kind: "pass" };
      })();
      const { result, code } = await run("retried", { AGENTOPS_API_ENDPOINT: proxy.url });
      await steps;
      expect(code).toBe(0);
      expect(result.unhandled).toEqual([]);
      expect(result.results).toMatchObject({ score: true, flushed: true });
      expect(scoreRequests()).toBe(3);
      console.log(`a score stored on its third attempt (503, reset, 201) in ${String(result.results.ms)} ms`);
      const body = await exported(result.session);
      expect(body.scores.filter((score) => score.name === "retried")).toHaveLength(1);
    });

    it("does not retry a refusal (401)", async () => {
      const { result, code, stderr } = await run("refused", { AGENTOPS_API_ENDPOINT: proxy.url, AGENTOPS_API_KEY: `ak_${"0".repeat(16)}_${"A".repeat(43)}` });
      expect(code).toBe(0);
      expect(result.unhandled).toEqual([]);
      expect(result.results.score).toBe(false);
      expect(scoreRequests()).toBe(1);
      expect(stderr).toContain("The server refused the score \"refused\"");
    });

    it("gives up on a server that is down after a bounded wait, and the process ends normally", async () => {
      await proxy.down();
      const { result, code, stderr, ms } = await run("down", { AGENTOPS_API_ENDPOINT: proxy.url, AGENTOPS_MAX_WAIT_TIME: "1000" });
      expect(code).toBe(0);
      expect(result.threw).toBe(false);
      expect(result.unhandled).toEqual([]);
      expect(result.results.score).toBe(false);
      expect(stderr).toContain("could not be sent after 4 attempts");
      console.log(`score to a server that is down: false after ${String(result.results.ms)} ms; the process ran ${ms} ms`);
      // Connection refused at once, then retries after 250, 500 and 1,000 ms.
      expect(result.results.ms).toBeGreaterThanOrEqual(1_750);
      expect(result.results.ms).toBeLessThan(5_000);
    });
  });
});
