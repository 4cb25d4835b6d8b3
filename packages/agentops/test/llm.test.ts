/**
 * LLM calls of the real openai and @anthropic-ai/sdk clients become LLM events of the session,
 * with no code (CommonJS after init, and ES modules via `--import agentops/register`), in real
 * child processes against the mock provider, exporting to a local receiver.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import { calculateCost } from "@agentops/pricing";
import { OtlpReceiver } from "./utils/otlp-receiver";

const FIXTURES = path.join(__dirname, "fixtures");
let receiver: OtlpReceiver;
let provider: MockProvider;

beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
  provider = await startMockProvider();
  // Known usage, with cached tokens, so the cost can be checked by hand.
  provider.script(
    { path: "/chat/completions", usage: { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 400 } },
    { path: "/chat/completions", usage: { inputTokens: 100, outputTokens: 50 } },
    { path: "/messages", usage: { inputTokens: 1000, outputTokens: 500, cacheReadTokens: 800 } },
    { path: "/chat/completions", status: 500, message: "scripted failure" },
  );
});
afterEach(async () => {
  await provider.close();
  await receiver.stop();
});

function run(args: string[]): Promise<{ messages: any[]; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: FIXTURES,
        timeout: 60_000,
        env: {
          ...process.env,
          AGENTOPS_API_KEY: "ak_llm",
          AGENTOPS_API_ENDPOINT: receiver.url,
          AGENTOPS_LOG_LEVEL: "error",
          MOCK_PROVIDER_URL: provider.url,
        },
      },
      (error, stdout, stderr) => {
        const messages = stdout
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line));
        resolve({ messages, stderr, code: error ? ((error as any).code ?? 1) : 0 });
      },
    );
  });
}

// By hand from the price table (USD per million tokens):
// gpt-4o: input 2.50, cached input 1.25, output 10.00
//   call 1: 600 × 2.50 + 400 × 1.25 + 500 × 10.00 = 1500 + 500 + 5000 → $0.007000
//   call 2: 100 × 2.50 + 50 × 10.00 → $0.000750
// claude-sonnet-4-5: input 3.00, cache read 0.30, output 15.00
//   200 × 3.00 + 800 × 0.30 + 500 × 15.00 = 600 + 240 + 7500 → $0.008340
const EXPECTED_COST = 0.007 + 0.00075 + 0.00834;

function check(messages: any[], stderr: string) {
  const summary = messages.find((m) => m.analytics);
  expect(summary).toBeDefined();
  if (!summary) throw new Error(stderr);
  expect(messages.find((m) => m.apiError)?.apiError).toBe(500);
  expect(summary.streamed).toBe(true);
  expect(summary.analytics).toMatchObject({
    llmCalls: 4,
    errors: 1,
    promptTokens: 2100,
    completionTokens: 1050,
  });
  const { cost } = messages.find((m) => m.cost !== undefined);
  expect(cost).toBe(EXPECTED_COST.toFixed(6));

  const traceId = summary.session.replace(/-/g, "");
  const root = receiver.ofKind("session").find((span) => span.traceId === traceId)!;
  const llm = receiver.spans.filter((span) => span.attributes["gen_ai.operation.name"] === "chat");
  expect(llm).toHaveLength(4);
  for (const span of llm) {
    expect(span.traceId).toBe(traceId);
    expect(span.parentSpanId).toBe(root.spanId);
  }
  const claude = llm.find((span) => span.attributes["gen_ai.provider.name"] === "anthropic")!;
  expect(claude.attributes["gen_ai.usage.input_tokens"]).toBe(1000);
  expect(claude.attributes["gen_ai.usage.cache_read.input_tokens"]).toBe(800);
  expect(root.attributes["agentops.session.llm_calls"]).toBe(4);
  expect(root.attributes["agentops.session.cost"]).toBeCloseTo(EXPECTED_COST, 9);
}

it("hand check of the price table for cached tokens, per provider", () => {
  expect(calculateCost("openai", "gpt-4o", { inputTokens: 1000, cacheReadTokens: 400, outputTokens: 500 })).toBeCloseTo(0.007, 12);
  expect(calculateCost("anthropic", "claude-sonnet-4-5", { inputTokens: 1000, cacheReadTokens: 800, outputTokens: 500 })).toBeCloseTo(0.00834, 12);
});

it("CommonJS: clients required after init are traced into the session", async () => {
  const { messages, stderr, code } = await run([path.join(FIXTURES, "llm-app.cjs")]);
  expect(code).toBe(0);
  check(messages, stderr);
});

it("ES modules: `node --import agentops/register` traces imported clients with no code", async () => {
  const { messages, stderr, code } = await run(["--import", "agentops/register", path.join(FIXTURES, "llm-app.mjs")]);
  expect(code).toBe(0);
  check(messages, stderr);
});

it("ES modules: clients imported after init() are traced", async () => {
  const { messages, stderr, code } = await run([path.join(FIXTURES, "llm-dynamic.mjs")]);
  expect(code).toBe(0);
  check(messages, stderr);
});

it("two sessions in concurrent tasks each get their own auto-traced LLM calls", async () => {
  provider.reset();
  const { messages, stderr, code } = await run([path.join(FIXTURES, "llm-concurrent.cjs")]);
  expect(code).toBe(0);
  const results = messages.find((m) => m.results)?.results;
  if (!results) throw new Error(stderr);
  const [a, b] = results;
  expect(a.llmCalls).toBe(3);
  expect(b.llmCalls).toBe(4);
  await receiver.waitFor((spans) => spans.filter((span) => span.attributes["gen_ai.operation.name"] === "chat").length === 7);
  const promptsOf = (id: string) =>
    receiver.spans
      .filter((span) => span.attributes["gen_ai.operation.name"] === "chat" && span.traceId === id.replace(/-/g, ""))
      .map((span) => JSON.parse(span.attributes["gen_ai.input.messages"] as string)[0].parts[0].content as string);
  expect(promptsOf(a.session).every((prompt) => prompt.startsWith("a "))).toBe(true);
  expect(promptsOf(b.session).every((prompt) => prompt.startsWith("b "))).toBe(true);
  expect(promptsOf(a.session)).toHaveLength(3);
  expect(promptsOf(b.session)).toHaveLength(4);
});
