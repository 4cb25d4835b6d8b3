/**
 * The Vercel AI SDK's telemetry vocabularies and the standard GenAI agent spans, span by span.
 * The attribute sets are the ones `ai` 5, 6 and 7 write (trimmed to what is read); the
 * end-to-end tests in `packages/agentops/test/vercel-ai*.test.ts` run the real packages.
 */
import { calculateCost } from "@agentops/pricing";
import { classifySpan, countsAsAction, interpretSpan, readConversation, readRawMessages, readToolCall } from "@agentops/span-model";

const PARENT = "a1b2c3d4e5f60718";

// `ai` 6, `generateText` over the Responses API: one provider call with cache and reasoning details.
const V6_DO_GENERATE = {
  "operation.name": "ai.generateText.doGenerate",
  "ai.operationId": "ai.generateText.doGenerate",
  "ai.model.provider": "openai.responses",
  "ai.model.id": "gpt-4o-mini",
  "gen_ai.system": "openai.responses",
  "gen_ai.request.model": "gpt-4o-mini",
  "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
  "ai.usage.inputTokens": 1200,
  "ai.usage.inputTokenDetails.noCacheTokens": 200,
  "ai.usage.inputTokenDetails.cacheReadTokens": 1000,
  "ai.usage.outputTokens": 300,
  "ai.usage.outputTokenDetails.reasoningTokens": 120,
  "gen_ai.usage.input_tokens": 1200,
  "gen_ai.usage.output_tokens": 300,
  "ai.prompt.messages": JSON.stringify([{ role: "user", content: [{ type: "text", text: "weather in Paris?" }] }]),
  "ai.response.toolCalls": JSON.stringify([{ toolCallId: "call_1", toolName: "get_weather", input: '{"city":"Paris"}' }]),
};

describe("Vercel AI SDK telemetry (ai 5, 6, and 7's LegacyOpenTelemetry)", () => {
  it("reads a provider call as one LLM call: model, provider, every token bucket, priced", () => {
    const meaning = interpretSpan("ai.generateText.doGenerate", PARENT, V6_DO_GENERATE, 0);
    expect(meaning).toMatchObject({
      kind: "llm",
      model: "gpt-4o-mini-2024-07-18",
      provider: "openai",
      promptTokens: 1200,
      completionTokens: 300,
      cachedTokens: 1000,
      reasoningTokens: 120,
    });
    const expected = calculateCost("openai", "gpt-4o-mini-2024-07-18", { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 1000, reasoningTokens: 120 });
    expect(expected).toBeGreaterThan(0);
    expect(meaning.cost).toBe(expected);
  });

  it("gives the operation around the calls no tokens: its summed usage is not counted again", () => {
    const outer = { "ai.operationId": "ai.generateText", "ai.model.id": "gpt-4o-mini", "ai.model.provider": "openai.chat", "ai.usage.inputTokens": 44, "ai.usage.outputTokens": 33 };
    const meaning = interpretSpan("ai.generateText", null, outer, 0);
    expect(meaning).toMatchObject({ kind: "agent", promptTokens: 0, completionTokens: 0, cost: 0, isError: false });
    expect(countsAsAction(meaning.kind)).toBe(true);
    expect(classifySpan("ai.streamText", null, { "ai.operationId": "ai.streamText", "ai.usage.inputTokens": 6 })).toBe("agent");
    expect(classifySpan("ai.embed", null, { "ai.operationId": "ai.embed", "ai.usage.tokens": 1 })).toBe("action");
  });

  it("reads ai 5's names: promptTokens / completionTokens, and embed's tokens", () => {
    const v5 = { "ai.operationId": "ai.streamText.doStream", "ai.model.id": "gpt-4o", "ai.model.provider": "openai.chat", "ai.usage.promptTokens": 10, "ai.usage.completionTokens": 4, "ai.usage.cachedInputTokens": 2, "ai.usage.reasoningTokens": 1 };
    expect(interpretSpan("ai.streamText.doStream", PARENT, v5, 0)).toMatchObject({ kind: "llm", model: "gpt-4o", provider: "openai", promptTokens: 10, completionTokens: 4, cachedTokens: 2, reasoningTokens: 1 });
    const embed = { "ai.operationId": "ai.embed.doEmbed", "ai.model.id": "text-embedding-3-small", "ai.model.provider": "openai.embedding", "ai.usage.tokens": 8 };
    const meaning = interpretSpan("ai.embed.doEmbed", PARENT, embed, 0);
    expect(meaning).toMatchObject({ kind: "llm", model: "text-embedding-3-small", provider: "openai", promptTokens: 8, completionTokens: 0 });
    expect(meaning.cost).toBeGreaterThan(0);
  });

  it("reads ai.toolCall as a tool call with its name, arguments and result; a failed one is an error", () => {
    const tool = { "ai.operationId": "ai.toolCall", "ai.toolCall.name": "get_weather", "ai.toolCall.id": "call_1", "ai.toolCall.args": '{"city":"Paris"}', "ai.toolCall.result": '{"temp":21}' };
    expect(interpretSpan("ai.toolCall", PARENT, tool, 0)).toMatchObject({ kind: "tool", isError: false, cost: 0 });
    expect(interpretSpan("ai.toolCall", PARENT, tool, 2).isError).toBe(true);
    expect(readToolCall(tool)).toEqual({ name: "get_weather", arguments: { city: "Paris" }, result: { temp: 21 }, server: null });
  });

  it("reads the provider call's messages, tool calls and tool results included", () => {
    expect(readRawMessages(V6_DO_GENERATE, "input")).toEqual([{ role: "user", content: [{ type: "text", text: "weather in Paris?" }] }]);
    const conversation = readConversation({
      "ai.prompt.messages": JSON.stringify([
        { role: "user", content: [{ type: "text", text: "weather?" }] },
        { role: "assistant", content: [{ type: "tool-call", toolCallId: "call_1", toolName: "get_weather", input: { city: "Paris" } }] },
        { role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", toolName: "get_weather", output: { type: "json", value: { temp: 21 } } }] },
      ]),
      "ai.response.text": "It is 21 degrees.",
    });
    expect(conversation.input[1]!.parts[0]).toEqual({ type: "tool_call", id: "call_1", name: "get_weather", arguments: { city: "Paris" } });
    expect(conversation.input[2]!.parts[0]).toMatchObject({ type: "tool_call_response", id: "call_1" });
    expect(conversation.output).toEqual([{ role: "assistant", parts: [{ type: "text", content: "It is 21 degrees." }] }]);
  });

  it("leaves other AI SDK operations uncounted", () => {
    expect(classifySpan("ai.generateImage", null, { "ai.operationId": "ai.generateImage" })).toBe("other");
  });
});

describe("standard GenAI agent spans (ai 7's OpenTelemetry, and any producer)", () => {
  it("counts invoke_agent and create_agent as agent runs, without tokens; agent_step is a container", () => {
    const agent = { "gen_ai.operation.name": "invoke_agent", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.agent.name": "planner", "gen_ai.usage.input_tokens": 44, "gen_ai.usage.output_tokens": 33 };
    expect(interpretSpan("invoke_agent planner", null, agent, 0)).toMatchObject({ kind: "agent", promptTokens: 0, completionTokens: 0, cost: 0 });
    expect(classifySpan("create_agent planner", null, { "gen_ai.operation.name": "create_agent" })).toBe("agent");
    expect(classifySpan("step 1", PARENT, { "gen_ai.operation.name": "agent_step" })).toBe("other");
  });

  it("tells an embeddings call (usage, or failed) from the operation around it (neither)", () => {
    const call = { "gen_ai.operation.name": "embeddings", "gen_ai.provider.name": "openai", "gen_ai.request.model": "text-embedding-3-small" };
    expect(classifySpan("embeddings text-embedding-3-small", PARENT, { ...call, "gen_ai.usage.input_tokens": 1 })).toBe("llm");
    expect(classifySpan("embeddings text-embedding-3-small", null, call)).toBe("action");
    expect(interpretSpan("embeddings text-embedding-3-small", PARENT, call, 2)).toMatchObject({ kind: "llm", isError: true });
  });

  it("reads execute_tool's arguments and result", () => {
    const tool = { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather", "gen_ai.tool.call.arguments": '{"city":"Paris"}', "gen_ai.tool.call.result": "sunny" };
    expect(classifySpan("execute_tool get_weather", PARENT, tool)).toBe("tool");
    expect(readToolCall(tool)).toEqual({ name: "get_weather", arguments: { city: "Paris" }, result: "sunny", server: null });
  });

  it("keeps gen_ai.system values that are not AI SDK provider ids as they are", () => {
    const meaning = interpretSpan("chat", PARENT, { "gen_ai.operation.name": "chat", "gen_ai.system": "az.ai.inference", "gen_ai.request.model": "m", "gen_ai.usage.input_tokens": 1 }, 0);
    expect(meaning.provider).toBe("az.ai.inference");
  });
});
