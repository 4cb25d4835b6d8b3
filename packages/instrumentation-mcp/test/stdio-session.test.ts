/**
 * End to end, in real processes: an agent process (`agentops.init()`, the built packages, the real
 * SDK) starts the weather MCP server as a child process over stdio; the server process calls
 * `agentops.init()` too, with the endpoint and key its client hands it. Both export to our server
 * on SQLite. The session must count each tool call once (both processes record it), show the
 * tools with their server, arguments and results, and hold the server process's spans.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { SessionExport, SessionSpansResponse, SessionStats } from "@agentops/span-model";
import { startTestBackend, type TestBackend } from "@agentops/test-support";

const AGENT = path.join(__dirname, "fixtures", "agent.mjs");

interface AgentRun {
  sessionId: string;
  serverPid: number;
  serverStderr: string[];
  tools: string[];
  results: Array<{ content: unknown; isError?: boolean }>;
  forecast: string;
  analytics: { toolCalls: number; actions: number; errors: number };
}

let backend: TestBackend;
let url: string;
let apiKey: string;

beforeAll(async () => {
  backend = await startTestBackend("mcp");
  ({ url, apiKey } = backend);
});

afterAll(async () => {
  await backend?.close();
});

function runAgent(env: Record<string, string>): Promise<AgentRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [AGENT],
      { cwd: path.dirname(AGENT), timeout: 60_000, env: { ...process.env, AGENTOPS_API_KEY: apiKey, AGENTOPS_API_ENDPOINT: url, AGENTOPS_LOG_LEVEL: "error", ...env } },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((text) => text.startsWith("{"));
        if (error || line === undefined) reject(new Error(`the agent failed: ${error?.message ?? ""}\n${stderr}`));
        else resolve(JSON.parse(line) as AgentRun);
      },
    );
  });
}

async function get<T>(pathname: string): Promise<T> {
  const response = await fetch(`${url}${pathname}`, { headers: { "x-agentops-api-key": apiKey } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** Waits (bounded) until the server process's spans have arrived: it exports them as it exits. */
async function spansOf(sessionId: string, pid: number): Promise<SessionSpansResponse["spans"]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { spans } = await get<SessionSpansResponse>(`/v2/sessions/${sessionId}/spans`);
    const fromServer = spans.filter((span) => span.resource["process.pid"] === pid);
    if (fromServer.length >= 5 || Date.now() > deadline) return spans;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.each([
  ["an ES module server process with no session of its own", "weather-server.mjs", "false"],
  ["a CommonJS server process that started a session of its own", "weather-server.cjs", "true"],
])("%s", (_title, script, autoStart) => {
  it("lands in the agent's session: each tool call once, with its server, arguments and result", async () => {
    const run = await runAgent({ SERVER_SCRIPT: `./${script}`, SERVER_AGENTOPS_AUTO_START_SESSION: autoStart });
    expect(run.tools).toEqual(["get_weather", "flaky"]);
    expect(run.results.map((result) => result.isError ?? false)).toEqual([false, false, true]);
    expect(run.forecast).toBe("Rain, then sun");

    const spans = await spansOf(run.sessionId, run.serverPid);
    const fromServer = spans.filter((span) => span.resource["process.pid"] === run.serverPid);
    // tools/list, 3 × tools/call, resources/read, and the station lookup inside each get_weather.
    expect(fromServer.map((span) => span.name).sort()).toEqual(
      ["resources/read", "station lookup", "station lookup", "tools/call flaky", "tools/call get_weather", "tools/call get_weather", "tools/list"].sort(),
    );
    expect(new Set(fromServer.map((span) => span.kind))).toEqual(new Set(["other"]));
    const clientCalls = spans.filter((span) => span.name === "execute_tool get_weather");
    const serverCalls = fromServer.filter((span) => span.name === "tools/call get_weather");
    expect(serverCalls.map((span) => span.parent_span_id).sort()).toEqual(clientCalls.map((span) => span.span_id).sort());
    const lookups = fromServer.filter((span) => span.name === "station lookup");
    expect(lookups.map((span) => span.parent_span_id).sort()).toEqual(serverCalls.map((span) => span.span_id).sort());

    const stats = await get<SessionStats>(`/v2/sessions/${run.sessionId}/stats`);
    expect(stats).toMatchObject({ end_state: "Success", tags: ["mcp"], tool_calls: 3, actions: 2, errors: 1, llm_calls: 0 });
    expect(run.analytics).toMatchObject({ toolCalls: 3, actions: 2, errors: 1 });

    const exported = await get<SessionExport>(`/v2/sessions/${run.sessionId}/export`);
    expect(exported.tools.map(({ name, mcp_server, params, returns }) => ({ name, mcp_server, params, returns }))).toEqual([
      { name: "get_weather", mcp_server: "weather", params: { city: "Oslo" }, returns: [{ type: "text", text: "Sunny in Oslo" }] },
      { name: "get_weather", mcp_server: "weather", params: { city: "Bergen" }, returns: [{ type: "text", text: "Sunny in Bergen" }] },
      { name: "flaky", mcp_server: "weather", params: {}, returns: null },
    ]);
    expect(exported.errors).toEqual([expect.objectContaining({ details: "the weather station is down", error_type: "tool_error" })]);
    expect(exported.actions.map((action) => action.action_type)).toEqual(["tools/list", "resources/read"]);

    // A server that started a session of its own keeps it, but the calls are counted in the agent's.
    const serverSession = JSON.parse(run.serverStderr.find((line) => line.startsWith("{")) ?? "{}").serverSession as string | null;
    if (autoStart === "false") {
      expect(serverSession).toBeNull();
    } else {
      expect(serverSession).toMatch(/^[0-9a-f-]{36}$/);
      const own = await get<SessionStats>(`/v2/sessions/${serverSession}/stats`);
      expect(own).toMatchObject({ tool_calls: 0, actions: 0, errors: 0 });
    }
  }, 90_000);
});
