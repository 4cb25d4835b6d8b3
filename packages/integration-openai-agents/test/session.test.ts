/**
 * An OpenAI Agents SDK run end to end: a real process (`agentops.init()`, the built packages, the
 * real `@openai/agents` and `openai`) runs a triage agent that calls a function tool and hands off
 * to a booking agent, against the mock provider, exporting to our server on SQLite. The server's
 * stats must count the calls made and the mock's usage exactly (each model call once, whether the
 * openai client is instrumented or not, streamed or not, Responses or Chat Completions), and its
 * export must show the agents, the tool and the handoff, nested.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { MockProvider } from "@agentops/mock-provider";
import { startTestBackend, type TestBackend } from "@agentops/test-support";

const FIXTURE = path.join(__dirname, "fixtures", "run-agents.mjs");

let backend: TestBackend;
let url: string;
let apiKey: string;
let provider: MockProvider;

beforeAll(async () => {
  const started = await startTestBackend("openai-agents", { mockProvider: true });
  backend = started;
  ({ url, apiKey, provider } = started);
});

afterAll(async () => {
  await backend?.close();
});

interface Outcome {
  sessionId: string;
  output: string;
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
        timeout: 150_000,
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

/** The mock's answers: a tool call, a handoff, the answer; usage set here, so the figures below are known. */
function script(route: string): void {
  provider.script(
    { path: route, toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }], usage: { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 200 } },
    { path: route, toolCalls: [{ name: "transfer_to_Booking_agent", arguments: {} }], usage: { inputTokens: 1200, outputTokens: 20 } },
    { path: route, text: "Booked: Oslo", usage: { inputTokens: 800, outputTokens: 30, reasoningTokens: 10 } },
  );
}

// gpt-4o per million tokens: input 2.50, cached input 1.25, output 10.00.
//   (3000 - 200) × 2.50 + 200 × 1.25 + 100 × 10.00 = 7000 + 250 + 1000 → $0.008250
const EXPECTED_STATS = {
  end_state: "Success",
  llm_calls: 3,
  tool_calls: 1,
  actions: 3, // the two agents and the handoff
  errors: 0,
  prompt_tokens: 3000,
  completion_tokens: 100,
  cached_tokens: 200,
  reasoning_tokens: 10,
  total_tokens: 3100,
  cost: "0.008250",
};

const CASES: Array<{ name: string; route: string; env: Record<string, string>; clientSpans: number }> = [
  { name: "Responses API, openai client instrumented", route: "/responses", env: {}, clientSpans: 3 },
  { name: "Responses API streamed, openai client not instrumented", route: "/responses", env: { AGENTS_STREAM: "1", AGENTOPS_INSTRUMENT_LLM_CALLS: "false" }, clientSpans: 0 },
  { name: "Chat Completions API, openai client instrumented", route: "/chat/completions", env: { AGENTS_API: "chat_completions" }, clientSpans: 3 },
];

it.each(CASES)("$name: stats count each call once and the export nests agents, tool and handoff", async ({ route, env, clientSpans }) => {
  script(route);
  const outcome = await runFixture(env);
  expect(outcome.output).toBe("Booked: Oslo");

  const stats = await get(`/v2/sessions/${outcome.sessionId}/stats`);
  expect(stats).toMatchObject(EXPECTED_STATS);
  expect(outcome.cost).toBe(stats.cost);
  expect(outcome.analytics).toMatchObject({ llmCalls: 3, toolCalls: 1, actions: 3, promptTokens: 3000, completionTokens: 100 });

  const exported = await get(`/v2/sessions/${outcome.sessionId}/export`);
  const { spans } = await get(`/v2/sessions/${outcome.sessionId}/spans`);
  const byId = new Map<string, any>(spans.map((span: any) => [span.span_id, span]));
  // The nearest agent span above a span (the SDK puts task and turn spans in between).
  const agentOf = (spanId: string | null): string | undefined => {
    const span = spanId === null ? undefined : byId.get(spanId);
    if (span === undefined) return undefined;
    const parent = byId.get(span.parent_span_id);
    if (parent === undefined) return undefined;
    return parent.attributes["openai_agents.span_type"] === "agent" ? parent.attributes["gen_ai.agent.name"] : agentOf(parent.span_id);
  };

  const agents = exported.actions.filter((action: any) => action.action_type === "agent");
  expect(agents.map((action: any) => action.params.name)).toEqual(["Triage", "Booking agent"]);
  expect(agents[0].params).toMatchObject({ tools: ["get_weather"], handoffs: ["Booking agent"] });
  const [handoff] = exported.actions.filter((action: any) => action.action_type === "handoff");
  expect(handoff.params).toEqual({ from_agent: "Triage", to_agent: "Booking agent" });
  expect(agentOf(handoff.span_id)).toBe("Triage");
  // The framework fields name the same structure without a walk over the spans.
  expect(agents.map((action: any) => [action.framework, action.role, action.agent_name])).toEqual([
    ["OpenAI Agents SDK", "agent", "Triage"],
    ["OpenAI Agents SDK", "agent", "Booking agent"],
  ]);
  expect(handoff).toMatchObject({ framework: "OpenAI Agents SDK", role: "handoff", handoff: { from: "Triage", to: "Booking agent" } });

  expect(exported.tools).toHaveLength(1);
  expect(exported.tools[0]).toMatchObject({ name: "get_weather", params: { city: "Oslo" }, returns: "Sunny in Oslo" });
  expect(agentOf(exported.tools[0].span_id)).toBe("Triage");
  expect(exported.tools[0]).toMatchObject({ framework: "OpenAI Agents SDK", role: "tool" });

  expect(exported.llms.map((llm: any) => [llm.model, llm.prompt_tokens, llm.completion_tokens])).toEqual([
    ["gpt-4o", 1000, 50],
    ["gpt-4o", 1200, 20],
    ["gpt-4o", 800, 30],
  ]);
  expect(exported.llms.map((llm: any) => agentOf(llm.span_id))).toEqual(["Triage", "Triage", "Booking agent"]);
  // Which span is the LLM call: the client span when the client was instrumented, else the SDK's.
  const clients = spans.filter((span: any) => span.kind === "llm" && span.attributes["openai_agents.span_type"] === undefined);
  expect(clients).toHaveLength(clientSpans);

  // Everything sits in the session's trace, under its root span (the run was not inside session.run).
  const session = spans.find((span: any) => span.kind === "session");
  const workflow = spans.find((span: any) => span.name === "Agent workflow" && span.attributes["openai_agents.span_type"] === undefined);
  expect(workflow.parent_span_id).toBe(session.span_id);
}, 180_000);
