/**
 * Session budgets, in real child processes with the real openai client against the mock provider,
 * exporting to a real server: a runaway loop is refused its next call once a limit is reached
 * (`enforceBudget`), `session.signal` stops a loop that checks it, and the server's totals trip
 * the budget of a session whose calls are made by another process.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import { startProjectServer, type ProjectServer, type ServerProcess } from "./utils/server-process";

const FIXTURE = path.join(__dirname, "fixtures", "budget-app.cjs");
let provider: MockProvider;
let backend: ProjectServer;
let server: ServerProcess;
let apiKey: string;

beforeAll(async () => {
  backend = await startProjectServer("budget");
  ({ server, apiKey } = backend);
  provider = await startMockProvider();
}, 60_000);
afterAll(async () => {
  await provider?.close();
  await backend?.stop();
});
beforeEach(() => {
  // 1,000 input and 500 output tokens of gpt-4o per call: $0.0075 (2.50 and 10.00 per million).
  provider.script(...Array.from({ length: 60 }, () => ({ path: "/chat/completions", usage: { inputTokens: 1000, outputTokens: 500 } })));
});

function run(mode: string, limit: number): Promise<{ result: any; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [FIXTURE, mode, String(limit)],
      {
        timeout: 60_000,
        env: { ...process.env, AGENTOPS_API_KEY: apiKey, AGENTOPS_API_ENDPOINT: server.url, AGENTOPS_LOG_LEVEL: "error", MOCK_PROVIDER_URL: provider.url },
      },
      (error, stdout, stderr) => {
        const lines = stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line));
        resolve({ result: lines.find((line) => line.session !== undefined), stderr, code: error ? ((error as any).code ?? 1) : 0 });
      },
    );
  });
}

async function stats(sessionId: string): Promise<any> {
  const response = await fetch(`${server.url}/v2/sessions/${sessionId}/stats`, { headers: { "x-agentops-api-key": apiKey } });
  expect(response.status).toBe(200);
  return response.json();
}

describe("session budgets", () => {
  it("maxLlmCalls with enforceBudget: the call after the limit is refused with a BudgetExceededError and never sent", async () => {
    const requestsBefore = provider.requests.length;
    const { result, stderr, code } = await run("calls", 3);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(result.made).toBe(3);
    expect(result.error).toMatchObject({ name: "BudgetExceededError", code: "budget_exceeded", limit: "llm_calls" });
    expect(provider.requests.length - requestsBefore).toBe(3); // the refused call never reached the provider
    expect(result.aborted).toBe(true);
    expect(result.reason).toBe("BudgetExceededError");
    expect(result.exceeded).toHaveLength(1); // the callback ran once
    expect(result.exceeded[0]).toMatchObject({ sessionId: result.session, limit: "llm_calls", llmCalls: 3, maxLlmCalls: 3, source: "local" });
    const totals = await stats(result.session);
    expect(totals).toMatchObject({ llm_calls: 3, errors: 1, prompt_tokens: 3000, completion_tokens: 1500, end_state: "Failure", end_state_reason: "over budget" });
    const exported: any = await (await fetch(`${server.url}/v2/sessions/${result.session}/export`, { headers: { "x-agentops-api-key": apiKey } })).json();
    expect(exported.errors.map((error: any) => error.error_type)).toEqual(["BudgetExceeded"]);
  });

  it("maxCostUsd: the loop stops at the first call that reaches the budget", async () => {
    const { result, code } = await run("cost", 0.02); // $0.0075 per call: the third call reaches it
    expect(code).toBe(0);
    expect(result.made).toBe(3);
    expect(result.error).toMatchObject({ name: "BudgetExceededError", limit: "cost" });
    expect(result.exceeded[0].costUsd).toBeCloseTo(0.0225, 10);
    const totals = await stats(result.session);
    expect(totals).toMatchObject({ llm_calls: 3, cost: "0.022500" });
  });

  it("without enforceBudget, session.signal stops a loop that checks it; no call is refused", async () => {
    const { result, code } = await run("signal", 2);
    expect(code).toBe(0);
    expect(result.made).toBe(2);
    expect(result.error).toBeUndefined();
    expect(result.aborted).toBe(true);
    expect((await stats(result.session)).llm_calls).toBe(2);
  });

  it("a session whose calls another process makes is stopped by the server's totals", async () => {
    const { result, stderr, code } = await run("parent", 4);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(result.local).toBe(0); // this process made no call itself
    expect(result.aborted).toBe(true);
    expect(result.exceeded).toHaveLength(1);
    expect(result.exceeded[0]).toMatchObject({ limit: "llm_calls", llmCalls: 4, source: "server" });
    expect(result.made).toBe(0);
    expect(result.error).toMatchObject({ name: "BudgetExceededError" });
    expect((await stats(result.session)).llm_calls).toBe(4);
  }, 60_000);
});
