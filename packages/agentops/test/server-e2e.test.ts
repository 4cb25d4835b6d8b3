/**
 * End to end: an agent in a child process (real openai and @anthropic-ai/sdk clients against the
 * mock provider, a child process of its own joining the session) exports to a real
 * `agentops-server` process on SQLite; the server's /v2/sessions/:id/stats equals the SDK's
 * getAnalytics() and the cost endSession returned.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";

const CLI = path.join(__dirname, "..", "..", "server", "dist", "cli.js");
const FIXTURES = path.join(__dirname, "fixtures");

let dir: string;
let server: ChildProcess;
let url: string;
let apiKey: string;
let provider: MockProvider;

function runNode(args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: FIXTURES, timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ stdout, stderr, code: error ? ((error as any).code ?? 1) : 0 }),
    );
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "agentops-e2e-"));
  const db = `sqlite:${path.join(dir, "agentops.db")}`;
  const created = await runNode([CLI, "projects", "create", "e2e", "--db", db, "--json"], {});
  expect(created.code).toBe(0);
  apiKey = JSON.parse(created.stdout.trim().split("\n").pop()!).api_key;
  server = spawn(process.execPath, [CLI, "serve", "--port", "0", "--db", db], { stdio: ["ignore", "pipe", "pipe"] });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start")), 30_000);
    createInterface({ input: server.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === "listening") {
          clearTimeout(timer);
          resolve(String(entry.address));
        }
      } catch {
        // not a log line
      }
    });
  });
  provider = await startMockProvider();
});

afterAll(async () => {
  await provider?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.on("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function get(pathname: string, key = apiKey): Promise<{ status: number; body: any }> {
  const response = await fetch(url + pathname, { headers: { "x-agentops-api-key": key } });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

it("stats from the server equal the SDK's analytics and endSession cost", async () => {
  provider.script(
    { path: "/chat/completions", usage: { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 400 } },
    { path: "/chat/completions", usage: { inputTokens: 100, outputTokens: 50 } },
    { path: "/messages", usage: { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 800 } },
    { path: "/chat/completions", status: 500, message: "scripted failure" },
  );
  const run = await runNode([path.join(FIXTURES, "llm-app.cjs")], {
    AGENTOPS_API_KEY: apiKey,
    AGENTOPS_API_ENDPOINT: url,
    AGENTOPS_LOG_LEVEL: "error",
    MOCK_PROVIDER_URL: provider.url,
  });
  expect(run.code).toBe(0);
  const messages = run.stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line));
  const summary = messages.find((m) => m.analytics);
  const { cost } = messages.find((m) => m.cost !== undefined);
  expect(summary).toBeDefined();

  const { status, body: stats } = await get(`/v2/sessions/${summary.session}/stats`);
  expect(status).toBe(200);
  expect(stats).toMatchObject({
    session_id: summary.session,
    end_state: "Success",
    tags: ["llm"],
    llm_calls: summary.analytics.llmCalls,
    tool_calls: summary.analytics.toolCalls,
    actions: summary.analytics.actions,
    errors: summary.analytics.errors,
    prompt_tokens: summary.analytics.promptTokens,
    completion_tokens: summary.analytics.completionTokens,
    total_tokens: summary.analytics.totalTokens,
    cost,
  });
  expect(stats.cost).toBe(summary.analytics.cost);
  expect(stats.cached_tokens).toBe(1200);

  const other = await get(`/v2/sessions/${summary.session}/stats`, "ak_not_a_key");
  expect(other.status).toBe(401);
});
