/**
 * The handler in-process, with the real LangChain (`@langchain/core`, `@langchain/openai`,
 * `@langchain/langgraph`), the real openai client (instrumented by our OpenAI instrumentation, or
 * not) and the mock provider, spans exported to memory: the spans it writes, their nesting, and
 * what the span model makes of them (each model call counted once).
 */
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { z } from "zod";
import { ChatOpenAI } from "@langchain/openai";
import { tool } from "@langchain/core/tools";
import { HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { AgentOpsCallbackHandler } from "@agentops/langchain";
import { byRunType, clientSpans, parentId, startTracing, totals, type Tracing } from "./helpers";

let tracing: Tracing;
let handler: AgentOpsCallbackHandler;

beforeAll(async () => {
  tracing = await startTracing();
  handler = new AgentOpsCallbackHandler({ tracerProvider: tracing.tracerProvider, captureContent: false });
});

afterEach(() => {
  tracing.provider.reset();
  tracing.exporter.reset();
  tracing.instrumentation.enable();
});

afterAll(() => tracing.stop());

function chatModel(): ChatOpenAI {
  return new ChatOpenAI({ model: "gpt-4o", apiKey: "mock", configuration: { baseURL: tracing.provider.openaiBaseURL }, maxRetries: 0 });
}

const getWeather = tool(async ({ city }) => `Sunny in ${city}`, {
  name: "get_weather",
  description: "The weather in a city",
  schema: z.object({ city: z.string() }),
});

/** Two model calls: a tool call, then the answer; usage known, cached and reasoning included. */
function scriptToolLoop(): void {
  tracing.provider.script(
    { path: "/chat/completions", toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }], usage: { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 200 } },
    { path: "/chat/completions", text: "Sunny in Oslo", usage: { inputTokens: 800, outputTokens: 30, reasoningTokens: 10 } },
  );
}

const LOOP_USAGE = { llm: 2, tool: 1, prompt: 1800, completion: 80, cached: 200, reasoning: 10, errors: 0 };

/** The names of the chain runs above a span, nearest first. */
function ancestors(spans: ReadableSpan[], span: ReadableSpan): string[] {
  const byId = new Map(spans.map((each) => [each.spanContext().spanId, each]));
  const names: string[] = [];
  for (let parent = byId.get(parentId(span) ?? ""); parent !== undefined; parent = byId.get(parentId(parent) ?? "")) names.push(parent.name);
  return names;
}

it("traces a LangGraph ReAct agent: the graph as the agent run, nodes as actions, the tool, each model call once", async () => {
  scriptToolLoop();
  const agent = createReactAgent({ llm: chatModel(), tools: [getWeather] });
  const result = await agent.invoke({ messages: [{ role: "user", content: "Weather in Oslo?" }] }, { callbacks: [handler] });
  expect(result.messages.at(-1)?.content).toBe("Sunny in Oslo");
  const spans = tracing.exporter.getFinishedSpans();

  const chains = byRunType(spans, "chain");
  const [root] = chains.filter((span) => span.attributes["langchain.parent_run_id"] === undefined);
  expect(root!.name).toBe("invoke_agent LangGraph");
  expect(root!.attributes).toMatchObject({ "gen_ai.operation.name": "invoke_agent", "agentops.action.type": "agent" });
  expect(parentId(root!)).toBeUndefined();
  // LangGraph's hidden machinery (`__start__`) is left out; its nodes are there, in order.
  expect(chains.some((span) => span.name === "__start__")).toBe(false);
  const nodes = chains.filter((span) => span.attributes["agentops.action.type"] === "graph_node");
  expect(nodes.sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]).map((span) => span.name)).toEqual(["agent", "tools", "agent"]);

  const [toolSpan] = byRunType(spans, "tool");
  expect(toolSpan!.name).toBe("execute_tool get_weather");
  expect(toolSpan!.attributes).toMatchObject({ "gen_ai.tool.name": "get_weather", "agentops.event.returns": "Sunny in Oslo" });
  expect(JSON.parse(String(toolSpan!.attributes["agentops.event.params"]))).toEqual({ city: "Oslo" });
  expect(ancestors(spans, toolSpan!)).toContain("tools");

  // Each chat model span has the instrumented client span under it; the client span counts.
  const chats = byRunType(spans, "chat_model");
  expect(chats).toHaveLength(2);
  const clients = clientSpans(spans);
  expect(clients).toHaveLength(2);
  for (const client of clients) {
    const chat = spans.find((span) => span.spanContext().spanId === parentId(client))!;
    expect(chat.attributes).toMatchObject({ "langchain.run_type": "chat_model", "langchain.client_calls": 1, "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o" });
    expect(ancestors(spans, chat)).toContain("agent");
  }
  expect(spans.every((span) => span.spanContext().traceId === root!.spanContext().traceId)).toBe(true);
  expect(totals(spans)).toEqual({ ...LOOP_USAGE, agent: 1, action: chains.length - 1 });
});

it("counts the chat model spans, with LangChain's usage, when the client is not instrumented (bindTools and a ToolMessage)", async () => {
  tracing.instrumentation.disable();
  scriptToolLoop();
  const model = chatModel().bindTools([getWeather]);
  const messages: BaseMessage[] = [new HumanMessage("Weather in Oslo?")];
  const first = await model.invoke(messages, { callbacks: [handler] });
  messages.push(first);
  for (const call of first.tool_calls ?? []) {
    const output = await getWeather.invoke(call.args as { city: string }, { callbacks: [handler] });
    messages.push(new ToolMessage({ content: String(output), tool_call_id: call.id! }));
  }
  const answer = await model.invoke(messages, { callbacks: [handler] });
  expect(answer.content).toBe("Sunny in Oslo");

  const spans = tracing.exporter.getFinishedSpans();
  expect(clientSpans(spans)).toHaveLength(0);
  const chats = byRunType(spans, "chat_model");
  expect(chats.map((span) => span.attributes["langchain.client_calls"])).toEqual([0, 0]);
  expect(chats[0]!.attributes).toMatchObject({
    "gen_ai.response.model": "gpt-4o",
    "gen_ai.usage.input_tokens": 1000,
    "gen_ai.usage.output_tokens": 50,
    "gen_ai.usage.cache_read.input_tokens": 200,
    "gen_ai.response.finish_reasons": ["tool_calls"],
  });
  expect(chats[1]!.attributes["gen_ai.usage.reasoning.output_tokens"]).toBe(10);
  // No chain around the calls: each run is outermost, no agent run.
  expect(totals(spans)).toEqual({ ...LOOP_USAGE, agent: 0, action: 0 });
});
