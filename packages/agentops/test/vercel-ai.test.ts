/**
 * The Vercel AI SDK (`ai` 5, 6 and 7 with `@ai-sdk/openai`) with its telemetry on makes exact
 * sessions: every model call one LLM call with the tokens the mock provider reported (no double
 * counting with the operation around it), every tool execution one tool call, every operation one
 * action, priced. The real packages run in child processes (they are ES modules) against the mock
 * provider; the sessions are made by agentops (`init` + `session.run`) and by the app's own
 * OpenTelemetry setup exporting with the stock OTLP exporter, both into a real server on SQLite.
 * A hand-built trace in the standard GenAI agent conventions (create_agent, invoke_agent → chat,
 * execute_tool, embeddings) goes the same way.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { MockProvider } from "@agentops/mock-provider";
import { calculateCost } from "@agentops/pricing";
import { traceIdToUuid } from "@agentops/semconv";
import { addPicoUsd, toPicoUsd, type SessionExport, type SessionSpansResponse, type SessionStats } from "@agentops/span-model";
import { startTestBackend, type TestBackend } from "@agentops/test-support";

const FIXTURES = path.join(__dirname, "fixtures");

interface Call { model: string; input: number; output: number; cached: number; reasoning: number }
interface AppRun {
  sessionId?: string;
  traceId?: string;
  calls: Call[];
  toolCalls: number;
  operations: number;
  text: string;
  object: unknown;
  analytics?: Record<string, unknown>;
}

let backend: TestBackend;
let url: string;
let apiKey: string;
let provider: MockProvider;

beforeAll(async () => {
  const started = await startTestBackend("vercel-ai", { mockProvider: true });
  backend = started;
  ({ url, apiKey, provider } = started);
});

afterAll(async () => {
  await backend?.close();
});

function runApp(args: string[]): Promise<AppRun> {
  return runFixture("vercel-ai-app.mjs", args);
}

function runFixture(file: string, args: string[]): Promise<AppRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(FIXTURES, file), ...args],
      {
        cwd: FIXTURES,
        timeout: 60_000,
        env: { ...process.env, AGENTOPS_API_KEY: apiKey, AGENTOPS_API_ENDPOINT: url, AGENTOPS_LOG_LEVEL: "error", MOCK_PROVIDER_URL: provider.url, AI_SDK_LOG_WARNINGS: "false" },
      },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((text) => text.startsWith("{"));
        if (error || line === undefined) reject(new Error(`${error?.message ?? "no output"}\n${stderr}`));
        else resolve(JSON.parse(line) as AppRun);
      },
    );
  });
}

async function get<T>(route: string): Promise<T> {
  const response = await fetch(`${url}${route}`, { headers: { "x-agentops-api-key": apiKey } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** The session's stats once every span the app sent is in (the OTLP export ends before the app exits). */
async function statsOf(sessionId: string, llmCalls: number): Promise<SessionStats> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const stats = await get<SessionStats>(`/v2/sessions/${sessionId}/stats`);
    if (stats.llm_calls >= llmCalls) return stats;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return get<SessionStats>(`/v2/sessions/${sessionId}/stats`);
}

/** What the calls the AI SDK reported must count for, priced as the span model prices them. */
function expectedFrom(run: AppRun) {
  let costPico = 0;
  for (const call of run.calls) {
    const cost = calculateCost("openai", call.model, { inputTokens: call.input, outputTokens: call.output, cacheReadTokens: call.cached, cacheWriteTokens: 0, reasoningTokens: call.reasoning }) ?? 0;
    expect(cost).toBeGreaterThan(0);
    costPico = addPicoUsd(costPico, toPicoUsd(cost));
  }
  const sum = (pick: (call: Call) => number) => run.calls.reduce((total, call) => total + pick(call), 0);
  return {
    llm_calls: run.calls.length,
    tool_calls: run.toolCalls,
    actions: run.operations,
    errors: 0,
    prompt_tokens: sum((call) => call.input),
    completion_tokens: sum((call) => call.output),
    cached_tokens: sum((call) => call.cached),
    reasoning_tokens: sum((call) => call.reasoning),
    cost: (costPico / 1e12).toFixed(6),
  };
}

const SETUPS = [
  ["ai 5", ["5"]],
  ["ai 6", ["6"]],
  ["ai 7, @ai-sdk/otel OpenTelemetry (GenAI conventions)", ["7", "genai"]],
  ["ai 7, @ai-sdk/otel LegacyOpenTelemetry", ["7", "legacy"]],
] as const;

describe.each(SETUPS)("%s", (_name, [major, integration]) => {
  const extra = integration === undefined ? [] : [integration];

  // toplevel: agentops.init(), then the calls outside session.run (the AI SDK's own spans join the session).
  it.each(["agentops", "toplevel", "otel"] as const)("makes an exact session through %s", async (setup) => {
    // The streamed call's usage, with cached and reasoning tokens, so that every bucket is checked.
    provider.reset();
    provider.script({ path: "/chat/completions", usage: { inputTokens: 1000, cacheReadTokens: 400, outputTokens: 500, reasoningTokens: 100 } });
    const run = await runApp([major, setup, ...extra]);
    expect(run.calls).toHaveLength(5); // two generateText steps, streamText, generateObject, embed
    expect(run.toolCalls).toBe(1);
    expect(run.text).toContain("The tool returned");
    expect(run.object).toMatchObject({ temperature: 1 });

    const sessionId = run.sessionId ?? traceIdToUuid(run.traceId!);
    const expected = expectedFrom(run);
    expect(expected).toMatchObject({ cached_tokens: 400, reasoning_tokens: 100 });
    const stats = await statsOf(sessionId, expected.llm_calls);
    expect(stats).toMatchObject(expected);
    expect(stats.total_tokens).toBe(expected.prompt_tokens + expected.completion_tokens);

    if (setup !== "otel") {
      // The SDK's own analytics agree with the server's stats.
      expect(run.analytics).toMatchObject({
        llmCalls: stats.llm_calls,
        toolCalls: stats.tool_calls,
        actions: stats.actions,
        promptTokens: stats.prompt_tokens,
        completionTokens: stats.completion_tokens,
        cachedTokens: stats.cached_tokens,
        reasoningTokens: stats.reasoning_tokens,
        cost: stats.cost,
      });
    }

    // The export shows the structure: each call and the tool under an operation, with content.
    const exported = await get<SessionExport>(`/v2/sessions/${sessionId}/export`);
    expect(exported.llms).toHaveLength(expected.llm_calls);
    expect(exported.llms.map((llm) => llm.provider)).toEqual(Array(expected.llm_calls).fill("openai"));
    expect(exported.llms.every((llm) => llm.model !== null)).toBe(true);
    // Content is captured for the text calls (embeddings record no messages).
    const textCalls = exported.llms.filter((llm) => llm.model !== "text-embedding-3-small");
    expect(textCalls).toHaveLength(expected.llm_calls - 1);
    for (const llm of textCalls) expect(llm.prompt).not.toBeNull();
    expect(exported.tools).toEqual([expect.objectContaining({ name: "get_weather", params: { city: expect.any(String) }, returns: expect.objectContaining({ temperature: 21 }) })]);
    expect(exported.actions).toHaveLength(expected.actions);
    const { spans } = await get<SessionSpansResponse>(`/v2/sessions/${sessionId}/spans`);
    const byId = new Map(spans.map((span) => [span.span_id, span]));
    const underOperation = (spanId: string): boolean => {
      for (let span = byId.get(spanId); span; span = span.parent_span_id ? byId.get(span.parent_span_id) : undefined) {
        if (span.kind === "agent" || span.kind === "action") return true;
      }
      return false;
    };
    for (const event of [...exported.llms, ...exported.tools]) expect(underOperation(event.span_id)).toBe(true);
  });
});

describe("standard GenAI agent spans, built by hand and sent with the stock OTLP exporter", () => {
  it("counts each call once under its agent run, the agent's repeated usage not again", async () => {
    const { traceId } = (await runFixture("genai-agent-trace.mjs", [])) as unknown as { traceId: string };
    const sessionId = traceIdToUuid(traceId);
    // By hand: chat 1000 in (600 cached) / 200 out (50 reasoning), chat 600 / 60, embeddings 12.
    const prices = [
      calculateCost("openai", "gpt-4o-2024-08-06", { inputTokens: 1000, outputTokens: 200, cacheReadTokens: 600, cacheWriteTokens: 0, reasoningTokens: 50 }),
      calculateCost("openai", "gpt-4o", { inputTokens: 600, outputTokens: 60, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }),
      calculateCost("openai", "text-embedding-3-small", { inputTokens: 12, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }),
    ];
    const costPico = prices.reduce<number>((total, cost) => addPicoUsd(total, toPicoUsd(cost ?? 0)), 0);
    expect(costPico).toBeGreaterThan(0);
    const stats = await statsOf(sessionId, 3);
    expect(stats).toMatchObject({
      llm_calls: 3,
      tool_calls: 1,
      actions: 2, // create_agent and invoke_agent
      errors: 0,
      prompt_tokens: 1612,
      completion_tokens: 260,
      cached_tokens: 600,
      reasoning_tokens: 50,
      cost: (costPico / 1e12).toFixed(6),
    });
    const exported = await get<SessionExport>(`/v2/sessions/${sessionId}/export`);
    const agent = exported.actions.find((action) => action.action_type === "invoke_agent planner");
    expect(agent).toBeDefined();
    for (const event of [...exported.llms, ...exported.tools]) expect(event.parent_span_id).toBe(agent!.span_id);
    expect(exported.tools).toEqual([expect.objectContaining({ name: "get_weather", params: { city: "Paris" }, returns: { temperature: 21 } })]);
    // The calls start in the same millisecond: found by model, not by order.
    const completionOf = (model: string) => exported.llms.find((llm) => llm.model === model)?.completion;
    expect(completionOf("gpt-4o-2024-08-06")).toEqual([{ role: "assistant", parts: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: { city: "Paris" } }], finish_reason: "tool_call" }]);
    expect(completionOf("gpt-4o")).toBe("It is 21 degrees in Paris.");
    expect(completionOf("text-embedding-3-small")).toBeNull();
  });
});
