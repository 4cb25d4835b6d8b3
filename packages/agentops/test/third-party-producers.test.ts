/**
 * Spans made by other projects' OpenAI instrumentations — OpenLLMetry (`@traceloop/instrumentation-openai`)
 * and OpenInference (`@arizeai/openinference-instrumentation-openai`) — exported by the app's own
 * OpenTelemetry provider with the stock OTLP/protobuf exporter, become exact sessions on our server:
 * the trace the server had not seen is a session, each model call one LLM call with the tokens the
 * mock provider reported, priced, and a refused call an error. The real packages run in a child
 * process, loaded the way their projects document, against the mock provider and a real server.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { MockProvider } from "@agentops/mock-provider";
import { calculateCost } from "@agentops/pricing";
import { traceIdToUuid } from "@agentops/semconv";
import { addPicoUsd, toPicoUsd, type SessionExport, type SessionStats } from "@agentops/span-model";
import { startTestBackend, type TestBackend } from "@agentops/test-support";

const FIXTURE = path.join(__dirname, "fixtures", "third-party-app.cjs");

interface Call { model: string; input: number; output: number; cached: number; reasoning: number }
interface AppRun { traceId: string; calls: Call[]; ended: Array<{ name: string; status: number }> }

let backend: TestBackend;
let url: string;
let apiKey: string;
let provider: MockProvider;

beforeAll(async () => {
  const started = await startTestBackend("third-party", { mockProvider: true });
  backend = started;
  ({ url, apiKey, provider } = started);
});

afterAll(async () => {
  await backend?.close();
});

function runApp(producer: string): Promise<AppRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [FIXTURE, producer],
      {
        cwd: path.dirname(FIXTURE),
        timeout: 60_000,
        env: { ...process.env, AGENTOPS_API_KEY: apiKey, AGENTOPS_API_ENDPOINT: url, MOCK_PROVIDER_URL: provider.url, OTEL_LOG_LEVEL: "error" },
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

/**
 * What each pinned producer reports, learned from their spans (the app also lists the spans it ended,
 * and the server must hold exactly those). Neither records a streamed call's usage (the final
 * `include_usage` chunk is ignored), neither ends a span for a call the provider refused (400), and
 * only OpenInference records cached-input and reasoning token counts.
 */
const PRODUCERS = {
  openllmetry: { streamedUsage: false, refusedCallSpan: false, tokenDetails: false },
  openinference: { streamedUsage: false, refusedCallSpan: false, tokenDetails: true },
} as const;

it.each(Object.keys(PRODUCERS) as Array<keyof typeof PRODUCERS>)("makes an exact session from %s spans sent with the stock OTLP exporter", async (producer) => {
  const knows = PRODUCERS[producer];
  provider.reset();
  provider.script(
    { path: "/chat/completions", usage: { inputTokens: 1000, cacheReadTokens: 400, outputTokens: 500, reasoningTokens: 100 } },
    { path: "/chat/completions", usage: { inputTokens: 60, outputTokens: 25 } },
    { path: "/chat/completions", status: 400, message: "This request is refused." },
  );
  const run = await runApp(producer);
  // The mock's usage reached the app as scripted: the figures below are the wire's.
  expect(run.calls).toEqual([
    { model: "gpt-4o", input: 1000, cached: 400, output: 500, reasoning: 100 },
    { model: "gpt-4o-mini", input: 60, cached: 0, output: 25, reasoning: 0 },
  ]);
  const llmSpans = run.ended.filter((span) => span.name !== "agent run");
  expect(llmSpans).toHaveLength(knows.refusedCallSpan ? 3 : 2);

  // The calls whose usage the producer put on its spans, with the detail it recorded.
  const measured = (knows.streamedUsage ? run.calls : run.calls.slice(0, 1)).map((call) =>
    knows.tokenDetails ? call : { ...call, cached: 0, reasoning: 0 },
  );
  let costPico = 0;
  for (const call of measured) {
    const cost = calculateCost("openai", call.model, { inputTokens: call.input, outputTokens: call.output, cacheReadTokens: call.cached, cacheWriteTokens: 0, reasoningTokens: call.reasoning });
    expect(cost).toBeGreaterThan(0);
    costPico = addPicoUsd(costPico, toPicoUsd(cost!));
  }
  const sum = (pick: (call: Call) => number): number => measured.reduce((total, call) => total + pick(call), 0);
  const sessionId = traceIdToUuid(run.traceId);
  const stats = await get<SessionStats>(`/v2/sessions/${sessionId}/stats`);
  expect(stats).toMatchObject({
    session_id: sessionId,
    llm_calls: llmSpans.length,
    tool_calls: 0,
    actions: 0,
    errors: llmSpans.filter((span) => span.status === 2).length,
    prompt_tokens: sum((call) => call.input),
    completion_tokens: sum((call) => call.output),
    cached_tokens: sum((call) => call.cached),
    reasoning_tokens: sum((call) => call.reasoning),
    total_tokens: sum((call) => call.input + call.output),
    cost: (costPico / 1e12).toFixed(6),
  });

  const exported = await get<SessionExport>(`/v2/sessions/${sessionId}/export`);
  expect(exported.llms.map((llm) => llm.model).sort()).toEqual(["gpt-4o", "gpt-4o-mini"]);
  for (const llm of exported.llms) {
    expect(JSON.stringify(llm.prompt)).toMatch(/Oslo|Bergen/);
    expect(JSON.stringify(llm.completion)).toContain("Mock answer");
  }
});
