/**
 * The processor in-process, with the real Agents SDK, the real openai client (instrumented by our
 * OpenAI instrumentation, or not) and the mock provider, spans exported to memory: the spans it
 * writes, their nesting, and what the span model makes of them (each model call counted once).
 */
import { context, SpanStatusCode } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import OpenAI from "openai";
import { z } from "zod";
import {
  Agent,
  InputGuardrailTripwireTriggered,
  run,
  setDefaultOpenAIClient,
  setTraceProcessors,
  setTracingDisabled,
  tool,
} from "@openai/agents";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";
import { OpenAIInstrumentation } from "@agentops/instrumentation-openai";
import { countsAsAction, interpretSpan } from "@agentops/span-model";
import { agentopsTraceProcessor, type AgentOpsTraceProcessor } from "@agentops/openai-agents";

let provider: MockProvider;
let exporter: InMemorySpanExporter;
let tracerProvider: NodeTracerProvider;
let instrumentation: OpenAIInstrumentation;
let processor: AgentOpsTraceProcessor;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  exporter = new InMemorySpanExporter();
  tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider = await startMockProvider();
  instrumentation = new OpenAIInstrumentation({ captureContent: false });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.manuallyInstrument(OpenAI);
  processor = agentopsTraceProcessor({ tracerProvider });
  setTraceProcessors([processor]);
  setTracingDisabled(false); // off by default under NODE_ENV=test
  setDefaultOpenAIClient(new OpenAI({ apiKey: "mock", baseURL: provider.openaiBaseURL, maxRetries: 0 }));
});

afterEach(() => {
  provider.reset();
  exporter.reset();
  instrumentation.enable();
});

afterAll(async () => {
  await processor.shutdown();
  setTraceProcessors([]);
  instrumentation.disable();
  await tracerProvider.shutdown();
  await provider.close();
  context.disable();
});

const getWeather = tool({
  name: "get_weather",
  description: "The weather in a city",
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny in ${city}`,
});

function agents() {
  const booking = new Agent({ name: "Booking agent", instructions: "Book trips.", model: "gpt-4o" });
  const triage = new Agent({ name: "Triage", instructions: "Check, then hand off.", model: "gpt-4o", tools: [getWeather], handoffs: [booking] });
  return triage;
}

/** Three model calls: a tool call, a handoff, an answer; usage known, cached and reasoning included. */
function scriptRun(): void {
  provider.script(
    { path: "/responses", toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }], usage: { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 200 } },
    { path: "/responses", toolCalls: [{ name: "transfer_to_Booking_agent", arguments: {} }], usage: { inputTokens: 1200, outputTokens: 20 } },
    { path: "/responses", text: "Booked: Oslo", usage: { inputTokens: 800, outputTokens: 30, reasoningTokens: 10 } },
  );
}

function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

function byType(spans: ReadableSpan[], type: string): ReadableSpan[] {
  return spans.filter((span) => span.attributes["openai_agents.span_type"] === type);
}

/** What the span model counts over all spans, as a session would. */
function totals(spans: ReadableSpan[]) {
  const sum = { llm: 0, tool: 0, action: 0, errors: 0, prompt: 0, completion: 0, cached: 0, reasoning: 0 };
  for (const span of spans) {
    const meaning = interpretSpan(span.name, parentId(span) ?? null, span.attributes, span.status.code);
    if (meaning.kind === "llm" || meaning.kind === "tool") sum[meaning.kind] += 1;
    else if (countsAsAction(meaning.kind)) sum.action += 1;
    if (meaning.isError) sum.errors += 1;
    sum.prompt += meaning.promptTokens;
    sum.completion += meaning.completionTokens;
    sum.cached += meaning.cachedTokens;
    sum.reasoning += meaning.reasoningTokens;
  }
  return sum;
}

const EXPECTED = { llm: 3, tool: 1, action: 3, errors: 0, prompt: 3000, completion: 100, cached: 200, reasoning: 10 };

/** Another processor, registered first: the SDK awaits it before ours, so ours hears of spans late. */
const otherProcessor = {
  onTraceStart: async () => {},
  onTraceEnd: async () => {},
  onSpanStart: async () => {},
  onSpanEnd: async () => {},
  shutdown: async () => {},
  forceFlush: async () => {},
};

it.each([
  ["registered alone", false],
  ["registered behind another processor", true],
])("nests agents, tools, handoffs and model calls as the SDK did, client spans under model spans (%s)", async (_name, behind) => {
  if (behind) setTraceProcessors([otherProcessor, processor]);
  scriptRun();
  const result = await run(agents(), "Book me a trip to Oslo").finally(() => setTraceProcessors([processor]));
  expect(result.finalOutput).toBe("Booked: Oslo");
  const spans = exporter.getFinishedSpans();
  const bySpanId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  // The nearest agent span above a span (the SDK puts task and turn spans in between).
  const agentOf = (span: ReadableSpan): string | undefined => {
    const parent = bySpanId.get(parentId(span) ?? "");
    if (parent === undefined) return undefined;
    return parent.attributes["openai_agents.span_type"] === "agent" ? String(parent.attributes["gen_ai.agent.name"]) : agentOf(parent);
  };

  const [root] = spans.filter((span) => span.name === "Agent workflow");
  expect(root).toBeDefined();
  expect(parentId(root!)).toBeUndefined();
  const agentSpans = byType(spans, "agent");
  expect(agentSpans.map((span) => span.attributes["gen_ai.agent.name"])).toEqual(["Triage", "Booking agent"]);
  const triage = agentSpans[0]!;
  expect(agentSpans.every((span) => span.spanContext().traceId === root!.spanContext().traceId)).toBe(true);
  expect(triage!.attributes).toMatchObject({ "openai_agents.agent.tools": ["get_weather"], "openai_agents.agent.handoffs": ["Booking agent"], "agentops.action.type": "agent" });

  const [fn] = byType(spans, "function");
  expect(fn!.name).toBe("execute_tool get_weather");
  expect(fn!.attributes).toMatchObject({ "gen_ai.tool.name": "get_weather", "function.input": '{"city":"Oslo"}', "function.output": "Sunny in Oslo" });
  expect(agentOf(fn!)).toBe("Triage");

  const [handoff] = byType(spans, "handoff");
  expect(handoff!.attributes).toMatchObject({ "openai_agents.handoff.from_agent": "Triage", "openai_agents.handoff.to_agent": "Booking agent" });
  expect(agentOf(handoff!)).toBe("Triage");

  // Each response span has the instrumented client span under it; the client span counts.
  const responses = byType(spans, "response");
  expect(responses).toHaveLength(3);
  const clients = spans.filter((span) => span.instrumentationScope.name === "@agentops/instrumentation-openai");
  expect(clients).toHaveLength(3);
  for (const client of clients) {
    const model = bySpanId.get(parentId(client)!)!;
    expect(model.attributes["openai_agents.span_type"]).toBe("response");
    expect(model.attributes["openai_agents.client_calls"]).toBe(1);
  }
  expect(responses.map(agentOf)).toEqual(["Triage", "Triage", "Booking agent"]);
  expect(totals(spans)).toEqual(EXPECTED);
});

it("counts the Agents SDK's model spans when no client instrumentation traced the calls", async () => {
  instrumentation.disable();
  scriptRun();
  await run(agents(), "Book me a trip to Oslo", { stream: true }).then(async (result) => {
    for await (const _event of result) {
      // consumed to the end
    }
    await result.completed;
  });
  const spans = exporter.getFinishedSpans();
  expect(spans.some((span) => span.instrumentationScope.name === "@agentops/instrumentation-openai")).toBe(false);
  const responses = byType(spans, "response");
  expect(responses.map((span) => span.attributes["openai_agents.client_calls"])).toEqual([0, 0, 0]);
  expect(responses[0]!.attributes).toMatchObject({ "gen_ai.provider.name": "openai", "gen_ai.response.model": "gpt-4o", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.cache_read.input_tokens": 200 });
  expect(totals(spans)).toEqual(EXPECTED);
});

it("records a failing tool as a failed tool call, and guardrails with whether they tripped", async () => {
  const failing = tool({
    name: "book_hotel",
    description: "Books a hotel",
    parameters: z.object({ city: z.string() }),
    execute: async () => {
      throw new Error("no rooms left");
    },
  });
  const agent = new Agent({
    name: "Hotel agent",
    model: "gpt-4o",
    tools: [failing],
    inputGuardrails: [{ name: "no_spam", execute: async () => ({ outputInfo: null, tripwireTriggered: false }) }],
  });
  provider.script(
    { path: "/responses", toolCalls: [{ name: "book_hotel", arguments: { city: "Oslo" } }] },
    { path: "/responses", text: "Sorry, no rooms." },
  );
  await run(agent, "Book a hotel in Oslo");
  let spans = exporter.getFinishedSpans();
  const [fn] = byType(spans, "function");
  expect(fn!.status).toMatchObject({ code: SpanStatusCode.ERROR });
  expect(fn!.status.message).toMatch(/tool/i);
  expect(fn!.events.find((event) => event.name === "exception")?.attributes?.["exception.message"]).toBe(fn!.status.message);
  expect(byType(spans, "guardrail")[0]!.attributes).toMatchObject({ "openai_agents.guardrail.name": "no_spam", "openai_agents.guardrail.triggered": false, "agentops.action.type": "guardrail" });
  expect(totals(spans)).toMatchObject({ llm: 2, tool: 1, errors: 1 });

  exporter.reset();
  const guarded = new Agent({
    name: "Guarded",
    model: "gpt-4o",
    inputGuardrails: [{ name: "no_spam", execute: async () => ({ outputInfo: null, tripwireTriggered: true }) }],
  });
  await expect(run(guarded, "Buy now!!!")).rejects.toBeInstanceOf(InputGuardrailTripwireTriggered);
  spans = exporter.getFinishedSpans();
  expect(byType(spans, "guardrail")[0]!.attributes["openai_agents.guardrail.triggered"]).toBe(true);
});

it("leaves a client call made under a span of the application's own where it is", async () => {
  const client = new OpenAI({ apiKey: "mock", baseURL: provider.openaiBaseURL, maxRetries: 0 });
  const summarise = tool({
    name: "summarise",
    description: "Summarises a city",
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) =>
      tracerProvider.getTracer("app").startActiveSpan("my-step", async (span) => {
        const reply = await client.responses.create({ model: "gpt-4o", input: `About ${city}` });
        span.end();
        return reply.output_text;
      }),
  });
  provider.script(
    { path: "/responses", toolCalls: [{ name: "summarise", arguments: { city: "Oslo" } }] },
    { path: "/responses", text: "About Oslo" },
    { path: "/responses", text: "Done." },
  );
  await run(new Agent({ name: "Writer", model: "gpt-4o", tools: [summarise] }), "Summarise Oslo");
  const spans = exporter.getFinishedSpans();
  const step = spans.find((span) => span.name === "my-step")!;
  const inner = spans.filter((span) => parentId(span) === step.spanContext().spanId);
  expect(inner.map((span) => span.instrumentationScope.name)).toEqual(["@agentops/instrumentation-openai"]);
  // The tool call itself is not a model span: the client span under it counts as an LLM call.
  expect(totals(spans)).toMatchObject({ llm: 3, tool: 1 });
});

it("never throws into the Agents SDK, whatever it is handed", async () => {
  const odd = { spanId: "x", traceId: "y", parentId: null, spanData: null, error: null } as never;
  await expect(processor.onSpanStart(odd)).resolves.toBeUndefined();
  await expect(processor.onSpanEnd(odd)).resolves.toBeUndefined();
  await expect(processor.onTraceEnd({ traceId: "unknown" } as never)).resolves.toBeUndefined();
  await expect(processor.forceFlush()).resolves.toBeUndefined();
});
