import { PriceTable } from "@agentops/pricing";
import {
  isContentAttribute,
  addPicoUsd,
  interpretSpan,
  MAX_SESSION_COST_PICO,
  readConversation,
  readRawMessages,
  toPicoUsd,
} from "@agentops/span-model";

describe("interpretSpan", () => {
  it("reads an LLM call of the current GenAI conventions: kind, tokens and price", () => {
    const meaning = interpretSpan("chat gpt-4o", "a1b2c3d4e5f60718", {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.usage.input_tokens": 1000,
      "gen_ai.usage.output_tokens": 500,
    }, 0);
    expect(meaning).toMatchObject({ kind: "llm", isError: false, model: "gpt-4o", provider: "openai", promptTokens: 1000, completionTokens: 500 });
    expect(meaning.cost).toBeCloseTo(0.0075, 9);
  });

  it("prices with the table it is given (user prices win)", () => {
    const prices = new PriceTable({ "gpt-4o": { input: 1, output: 2 } });
    const meaning = interpretSpan("chat", null, { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 1_000_000 }, 0, prices);
    expect(meaning.cost).toBeCloseTo(3, 9);
  });

  it("counts a failed LLM or tool call as an error, a failed action or container not", () => {
    expect(interpretSpan("x", null, { "agentops.span.kind": "llm" }, 2).isError).toBe(true);
    expect(interpretSpan("x", null, { "gen_ai.operation.name": "execute_tool" }, 2).isError).toBe(true);
    expect(interpretSpan("x", null, { "agentops.span.kind": "action" }, 2).isError).toBe(false);
    expect(interpretSpan("x", null, { "gen_ai.operation.name": "invoke_agent" }, 2)).toMatchObject({ kind: "agent", isError: false });
    expect(interpretSpan("x", null, { "agentops.span.kind": "error" }, 0).isError).toBe(true);
  });

  it("takes a tool's explicit cost, and never throws on odd values", () => {
    expect(interpretSpan("t", null, { "agentops.span.kind": "tool.usage", "gen_ai.usage.total_cost": "0.5" }, 0).cost).toBe(0.5);
    const odd = { "agentops.span.kind": ["llm"], "gen_ai.operation.name": "constructor", "gen_ai.usage.input_tokens": Number.NaN, __proto__: { x: 1 } } as unknown as Record<string, unknown>;
    expect(() => interpretSpan("odd", null, odd, 7)).not.toThrow();
    expect(interpretSpan("odd", null, odd, 7).kind).toBe("other");
    expect(interpretSpan("llm", null, { "agentops.span.kind": "llm", "gen_ai.usage.input_tokens": -5, "gen_ai.usage.output_tokens": "12.9" }, 0)).toMatchObject({ promptTokens: 0, completionTokens: 12 });
  });
});

describe("costs in picodollars", () => {
  it("rounds each span's cost to whole picodollars and saturates the sum", () => {
    expect(toPicoUsd(0.0075)).toBe(7_500_000_000);
    expect(toPicoUsd(-1)).toBe(0);
    expect(toPicoUsd(Number.NaN)).toBe(0);
    expect(addPicoUsd(MAX_SESSION_COST_PICO - 1, toPicoUsd(1_000_000))).toBe(MAX_SESSION_COST_PICO);
  });
});

describe("messages", () => {
  it("reads current, legacy, indexed and OpenInference messages", () => {
    expect(readRawMessages({ "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]' }, "input")).toEqual([
      { role: "user", parts: [{ type: "text", content: "hi" }] },
    ]);
    expect(readRawMessages({ "gen_ai.completion": "plain answer" }, "output")).toBe("plain answer");
    expect(readRawMessages({ "gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "b", "gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "a" }, "input")).toEqual([
      { role: "system", content: "a" },
      { role: "user", content: "b" },
    ]);
    expect(readRawMessages({ "llm.output_messages.0.message.role": "assistant", "llm.output_messages.0.message.content": "ok" }, "output")).toEqual([
      { role: "assistant", content: "ok" },
    ]);
    expect(readRawMessages({}, "input")).toBeNull();
  });

  it("normalises them into a conversation, output as the assistant's", () => {
    const conversation = readConversation({
      "gen_ai.system_instructions": '[{"type":"text","content":"be brief"}]',
      "llm.input_messages.0.message.role": "user",
      "llm.input_messages.0.message.content": "weather?",
      "gen_ai.completion": "sunny",
    });
    expect(conversation.input).toEqual([
      { role: "system", parts: [{ type: "text", content: "be brief" }] },
      { role: "user", parts: [{ type: "text", content: "weather?" }] },
    ]);
    expect(conversation.output).toEqual([{ role: "assistant", parts: [{ type: "text", content: "sunny" }] }]);
  });
});

describe("isContentAttribute", () => {
  it("names the content of every vocabulary, and not its roles, ids, models or counts", () => {
    for (const key of [
      "agentops.event.params",
      "agentops.event.returns",
      "gen_ai.input.messages",
      "gen_ai.output.messages",
      "gen_ai.system_instructions",
      "gen_ai.prompt.0.content",
      "gen_ai.completion.0.tool_calls.0.arguments",
      "llm.input_messages.1.message.content",
      "input.value",
      "ai.prompt.messages",
      "ai.toolCall.args",
      "traceloop.entity.output",
    ])
      expect([key, isContentAttribute(key)]).toEqual([key, true]);
    for (const key of [
      "gen_ai.prompt.0.role",
      "gen_ai.completion.0.finish_reason",
      "gen_ai.completion.0.tool_calls.0.name",
      "llm.input_messages.0.message.role",
      "gen_ai.request.model",
      "gen_ai.usage.input_tokens",
      "agentops.event.id",
      "gen_ai.tool.name",
    ])
      expect([key, isContentAttribute(key)]).toEqual([key, false]);
  });
});
