/**
 * The SDK under faults, in a real app process exporting through a fault proxy to a real server
 * process: 500s, 429 with Retry-After, connection resets, 10-second answers, the server down for
 * 60 s, and a server killed and restarted mid-run. The app must not notice (no throw, no
 * unhandled rejection, its own latency unchanged, memory bounded), and every span must be stored
 * once the server is back. Figures go to test-artifacts/faults.jsonl for `pnpm test:faults`.
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { FaultProxy } from "./utils/fault-proxy";
import { createProject, startServer, type ServerProcess } from "./utils/server-process";

const FIXTURE = path.join(__dirname, "fixtures", "fault-app.cjs");
const ARTIFACTS = path.join(__dirname, "..", "..", "..", "test-artifacts");
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("the app keeps working through every fault, and every span is stored once the server is back", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agentops-faults-"));
  const db = `sqlite:${path.join(dir, "agentops.db")}`;
  const { api_key: apiKey } = await createProject(db, "faults");
  let server: ServerProcess = await startServer(db);
  const proxy = await new FaultProxy(server.url).start();
  const app = spawn(process.execPath, [FIXTURE], {
    env: {
      ...process.env,
      AGENTOPS_API_KEY: apiKey,
      AGENTOPS_API_ENDPOINT: proxy.url,
      AGENTOPS_MAX_WAIT_TIME: "1000",
      AGENTOPS_INSTRUMENT_LLM_CALLS: "false",
      AGENTOPS_LOG_LEVEL: "none",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const messages: any[] = [];
  let stderr = "";
  app.stderr!.on("data", (chunk) => (stderr += chunk));
  createInterface({ input: app.stdout! }).on("line", (line) => messages.push(JSON.parse(line)));
  const faults: string[] = [];
  try {
    await pause(3000); // normal
    proxy.mode = { kind: "status", status: 500 };
    faults.push("500 for 5 s");
    await pause(5000);
    proxy.mode = { kind: "status", status: 429, headers: { "retry-after": "2" } };
    faults.push("429 + Retry-After: 2 for 5 s");
    await pause(5000);
    proxy.mode = { kind: "reset" };
    faults.push("connection resets for 5 s");
    await pause(5000);
    proxy.mode = { kind: "slow", delayMs: 10_000 };
    faults.push("10 s answers for 12 s");
    await pause(12_000);
    await proxy.down();
    faults.push("server unreachable for 60 s");
    await pause(60_000);
    await proxy.up();
    await pause(3000);
    await server.kill("SIGKILL");
    faults.push("server killed (SIGKILL) and restarted");
    await pause(2000);
    server = await startServer(db);
    proxy.retarget(server.url);
    await pause(8000); // back to normal: the backlog drains

    app.stdin!.write("stop\n");
    const deadline = Date.now() + 60_000;
    while (!messages.some((m) => m.done) && Date.now() < deadline) await pause(200);
    const report = messages.find((m) => m.done);
    if (!report) throw new Error(`the app did not report: ${stderr}`);
    const { session } = messages[0];

    const response = await fetch(`${server.url}/v2/sessions/${session}/stats`, { headers: { "x-agentops-api-key": apiKey } });
    const stats = (await response.json()) as any;
    const stored = stats.actions;
    const figures = {
      suite: "sdk-faults",
      faults,
      injected: proxy.counts,
      sent: report.recorded,
      acknowledged: report.exportStats.exported,
      stored,
      lost: report.recorded - stored,
      appP50us: report.p50us,
      appP99us: report.p99us,
      rssGrowthMb: Math.round(report.rssGrowthMb),
      unhandledRejections: report.unhandled,
      exportStats: report.exportStats,
    };
    mkdirSync(ARTIFACTS, { recursive: true });
    appendFileSync(path.join(ARTIFACTS, "faults.jsonl"), JSON.stringify(figures) + "\n");
    console.log(JSON.stringify(figures, null, 2));

    expect(report.unhandled).toBe(0);
    expect(report.flushed).toBe(true);
    expect(report.exportStats).toMatchObject({ droppedBufferFull: 0, droppedRejected: 0, queued: 0 });
    expect(stats.end_state).toBe("Success");
    expect(stored).toBe(report.recorded);
    expect(figures.lost).toBe(0);
    // Generous bounds (figures, not targets): recording never waits on the network.
    expect(report.p99us).toBeLessThan(2000);
    expect(report.rssGrowthMb).toBeLessThan(300);
    expect(proxy.counts.statuses).toBeGreaterThan(0);
    expect(proxy.counts.resets).toBeGreaterThan(0);
    expect(proxy.counts.slowed).toBeGreaterThan(0);
  } finally {
    app.kill("SIGKILL");
    await proxy.stop();
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
