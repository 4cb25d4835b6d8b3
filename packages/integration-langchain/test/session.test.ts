/**
 * LangChain.js end to end: a real process (`agentops.init()`, the built packages, the real
 * `@langchain/*` packages and `openai`) runs a LangGraph ReAct agent and a streamed retrieval
 * chain against the mock provider, exporting to our server on SQLite. The server's stats must
 * count the calls made and the mock's usage exactly (each model call once, whether the openai
 * client is instrumented or not), and its export must show the graph, its nodes, the tool and the
 * retriever.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { MockProvider } from "@agentops/mock-provider";
import { startTestBackend, type TestBackend } from "@agentops/test-support";

const FIXTURE = path.join(__dirname, "fixtures", "run-langchain.mjs");

let backend: TestBackend;
let url: string;
let apiKey: string;
let provider: MockProvider;

beforeAll(async () => {
  const started = await startTestBackend("langchain", { mockProvider: true });
  backend = started;
  ({ url, apiKey, provider } = started);
});

afterAll(async () => {
  await backend?.close();
});

interface Outcome {
  sessionId: string;
  outputs: string[];
  cost: string;
  analytics: Record<string, unknown>;
}

function runFixture(env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [FIXTURE],
      {
        cwd: path.dirname(FIXTURE),
        timeout: 120_000,
        env: { ...process.env, AGENTOPS_API_KEY: apiKey, AGENTOPS_API_ENDPOINT: url, AGENTOPS_LOG_LEVEL: "error", MOCK_PROVIDER_URL: provider.url, ...env },
      },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((text) => text.startsWith("{"));
        if (error || line === undefined) reject(new Error(`the run failed: ${error?.message ?? ""}\n${stderr}`));
        else resolve(JSON.parse(line) as Outcome);
      },
    );
  });
}

async function get(pathname: string): Promise<any> {
  const response = await fetch(`${url}${pathname}`, { headers: { "x-agentops-api-key": apiKey } });
  expect(response.status).toBe(200);
  return response.json();
}

/** The agent's tool call and answer, then the chain's streamed answer; usage set here, so the figures below are known. */
function script(): void {
  provider.script(
    { path: "/chat/completions", toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }], usage: { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 200 } },
    { path: "/chat/completions", text: "Sunny in Oslo", usage: { inputTokens: 800, outputTokens: 30, reasoningTokens: 10 } },
    { path: "/chat/completions", text: "Oslo, Norway.", usage: { inputTokens: 420, outputTokens: 7 } },
  );
}

// gpt-4o per million tokens: input 2.50, cached input 1.25, output 10.00.
//   (2220 - 200) × 2.50 + 200 × 1.25 + 87 × 10.00 = 5050 + 250 + 870 → $0.006170
const EXPECTED_STATS = {
  end_state: "Success",
  llm_calls: 3,
  tool_calls: 1,
  errors: 0,
  prompt_tokens: 2220,
  completion_tokens: 87,
  cached_tokens: 200,
  reasoning_tokens: 10,
  total_tokens: 2307,
  cost: "0.006170",
};

const CASES: Array<{ name: string; env: Record<string, string>; clientSpans: number }> = [
  { name: "openai client instrumented", env: {}, clientSpans: 3 },
  { name: "openai client not instrumented", env: { AGENTOPS_INSTRUMENT_LLM_CALLS: "false" }, clientSpans: 0 },
];

it.each(CASES)("$name: stats count each call once and the export shows graph, nodes, tool and retriever", async ({ env, clientSpans }) => {
  script();
  const outcome = await runFixture(env);
  expect(outcome.outputs).toEqual(["Sunny in Oslo", "Oslo, Norway."]);

  const { spans } = await get(`/v2/sessions/${outcome.sessionId}/spans`);
  // Every chain run and the retriever are actions (the two outermost chains as agent runs).
  const actionRuns = spans.filter((span: any) => ["chain", "retriever"].includes(span.attributes["langchain.run_type"]));
  const stats = await get(`/v2/sessions/${outcome.sessionId}/stats`);
  expect(stats).toMatchObject({ ...EXPECTED_STATS, actions: actionRuns.length });
  expect(Number(stats.cost)).toBeGreaterThan(0);
  expect(outcome.cost).toBe(stats.cost);
  expect(outcome.analytics).toMatchObject({ llmCalls: 3, toolCalls: 1, actions: actionRuns.length, promptTokens: 2220, completionTokens: 87 });

  const exported = await get(`/v2/sessions/${outcome.sessionId}/export`);
  const actionTypes = exported.actions.map((action: any) => action.action_type);
  expect(actionTypes.filter((type: string) => type === "agent")).toHaveLength(2);
  expect(actionTypes.filter((type: string) => type === "graph_node")).toHaveLength(3);
  // The framework fields say the same: two agent runs, three graph steps, all LangChain's.
  expect(exported.actions.every((action: any) => action.framework === "LangChain")).toBe(true);
  expect(exported.actions.filter((action: any) => action.role === "agent")).toHaveLength(2);
  expect(exported.actions.filter((action: any) => action.role === "step")).toHaveLength(3);
  const [retrieval] = exported.actions.filter((action: any) => action.action_type === "retriever");
  expect(retrieval.params).toEqual({ name: "AtlasRetriever", query: "Where is Oslo?" });
  expect(exported.tools).toHaveLength(1);
  expect(exported.tools[0]).toMatchObject({ name: "get_weather", params: { city: "Oslo" }, returns: "Sunny in Oslo", framework: "LangChain", role: "tool" });
  expect(exported.llms.map((llm: any) => [llm.model, llm.prompt_tokens, llm.completion_tokens])).toEqual([
    ["gpt-4o", 1000, 50],
    ["gpt-4o", 800, 30],
    ["gpt-4o", 420, 7],
  ]);

  // Which span is the LLM call: the client span when the client was instrumented, else LangChain's.
  const byId = new Map<string, any>(spans.map((span: any) => [span.span_id, span]));
  const llmSpans = spans.filter((span: any) => span.kind === "llm");
  expect(llmSpans.filter((span: any) => span.attributes["langchain.run_type"] === undefined)).toHaveLength(clientSpans);
  for (const span of llmSpans) {
    const chat = span.attributes["langchain.run_type"] === "chat_model" ? span : byId.get(span.parent_span_id);
    expect(chat.attributes["langchain.run_type"]).toBe("chat_model");
  }
  // The graph sits under the session's root span (the run was not inside session.run).
  const session = spans.find((span: any) => span.kind === "session");
  const graph = spans.find((span: any) => span.name === "invoke_agent LangGraph");
  expect(graph.parent_span_id).toBe(session.span_id);
}, 150_000);
