/**
 * The demo as `pnpm demo --once` runs it (without the build, which `pnpm test` has done): a real
 * server process, the mock provider, the agent and its worker process. Checks what it prints.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXAMPLES_DIR, runNode, type RunResult } from "example-shared/test-utils";

jest.setTimeout(120_000);

let dataDir: string;
let run: RunResult;

/** The pretty-printed JSON after the heading that contains `title`. */
function block(title: string): any {
  const lines = run.stdout.split("\n");
  const at = lines.findIndex((line) => line.startsWith("── ") && line.includes(title));
  if (at < 0) throw new Error(`no "${title}" section in:\n${run.stdout}`);
  const first = lines[at + 1]!;
  if (!first.startsWith("{")) return JSON.parse(first);
  const end = lines.indexOf("}", at + 1);
  return JSON.parse(lines.slice(at + 1, end + 1).join("\n"));
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "agentops-demo-test-"));
  // --port 0: port 4318, the demo's first choice, may be in use by a server of the machine.
  run = await runNode(
    [
      path.join(EXAMPLES_DIR, "demo", "run.mjs"),
      "--once",
      "--skip-build",
      "--port",
      "0",
      "--data-dir",
      dataDir,
    ],
    {
      cwd: path.join(EXAMPLES_DIR, ".."),
      timeoutMs: 110_000,
    },
  );
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

it("exits 0 after printing, with the server on SQLite in the data folder", () => {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(existsSync(path.join(dataDir, "agentops.db"))).toBe(true);
  expect(run.stdout).toContain("--once: the server and the mock provider are stopped.");
  expect(run.stdout).toMatch(/API key: ak_[0-9a-f]{16}_\S+/);
});

it("runs each step of the agent with the real clients", () => {
  for (const text of [
    'chat     openai gpt-4o → Mock answer to "Suggest a day trip from Oslo".',
    'stream   openai gpt-4o → Mock answer to "Describe the Oslofjord in a few words".',
    'chat     anthropic claude-sonnet-4-6 → Mock answer to "Pack a bag for a rainy day".',
    'tool     get_weather({"city":"Oslo"})',
    'action   plan_trip("Oslo") → The tool returned',
    "error    book_hotel failed: No rooms left in Oslo (handled; recorded as an ErrorEvent)",
  ]) {
    expect(run.stdout).toContain(text);
  }
});

it("prints a non-zero cost, and server stats equal to the analytics of the agent and its worker", () => {
  const agent = block("getAnalytics() in the agent");
  const worker = block("getAnalytics() in the worker");
  const cost = block("endSession");
  const stats = block("GET /v2/sessions/");
  expect(Number(cost)).toBeGreaterThan(0);
  expect(stats).toMatchObject({ end_state: "Success", tags: ["demo", "travel-agent"], cost });
  expect(agent).toMatchObject({ llmCalls: 5, toolCalls: 2, actions: 1, errors: 1 });
  expect(worker).toMatchObject({ llmCalls: 1, actions: 1 });
  const pairs = [
    ["llm_calls", "llmCalls"],
    ["tool_calls", "toolCalls"],
    ["actions", "actions"],
    ["errors", "errors"],
    ["prompt_tokens", "promptTokens"],
    ["completion_tokens", "completionTokens"],
    ["total_tokens", "totalTokens"],
  ];
  for (const [field, key] of pairs)
    expect([field, stats[field!]]).toEqual([field, agent[key!] + worker[key!]]);
  expect(Number(stats.cost)).toBeCloseTo(Number(agent.cost) + Number(worker.cost), 5);
  expect(run.stdout).toContain("✓ the server counted every event of both processes");
});

it("shows the worker process's events in the same session on the server", () => {
  const stats = block("GET /v2/sessions/");
  expect(run.stdout).toContain(`joined session ${stats.session_id} →`);
  const workerPid = /worker +pid (\d+) joined/.exec(run.stdout)![1];
  const events = run.stdout.split("\n").filter((line) => /^ +\+ *\d+ ms /.test(line));
  expect(events).toHaveLength(stats.events);
  expect(
    events
      .filter((line) => line.includes(`worker ${workerPid}`))
      .map((line) => /(llm|action) /.exec(line)?.[1]),
  ).toEqual(["llm", "action"]);
  expect(
    events.some(
      (line) => line.includes(`worker ${workerPid}`) && line.includes("anthropic claude-haiku-4-5"),
    ),
  ).toBe(true);
});
